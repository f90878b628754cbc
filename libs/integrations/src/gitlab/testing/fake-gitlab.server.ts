import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoopbackServer, type RecordedRequest } from '../../toolkit/testing/loopback-server.js';

// GitLab on loopback, as a self-managed instance serves it under a relative URL root
// (`<origin>/gitlab`, the REST API at `/gitlab/api/v4`), for the GitLab integration's tests and
// benchmark. Shapes follow GitLab's REST API documentation and published OpenAPI description
// (field names and types in ../fixtures/gitlab-api-schema.json; the values are ours):
// - offset paging (`page`, `per_page` up to 100) with `Link`, `X-Page`, `X-Per-Page`,
//   `X-Next-Page` (empty on the last page), `X-Prev-Page`, `X-Total`, `X-Total-Pages`, the totals
//   left out above 10,000 records; keyset paging (`pagination=keyset`) on `/projects` and a
//   project's jobs, with only `Link: rel="next"` (`id_after`);
// - `RateLimit-Limit`, `-Observed`, `-Remaining`, `-Reset` (epoch seconds), `-ResetTime` on every
//   answer, 429 `Retry later` with `Retry-After` once a token's minute is spent or when injected;
// - `{"message":"401 Unauthorized"}`, `{"message":"403 Forbidden"}`, `{"error":"insufficient_scope",…}`,
//   `{"message":"404 Project Not Found"}`;
// - OAuth (`/oauth/authorize` approving at once, `/oauth/token` with PKCE S256 and refresh tokens
//   that rotate, `/oauth/token/info`), `/personal_access_tokens/self`;
// - group and project hooks (group hooks can be switched off, as on the Free tier), and webhook
//   deliveries with `X-Gitlab-Event`, `X-Gitlab-Token`, `X-Gitlab-Event-UUID`,
//   `X-Gitlab-Webhook-UUID`, `Idempotency-Key` and GitLab's payload shapes, date formats included.

type Json = Record<string, any>;

/** How much data the instance has. Counts are per project unless they say otherwise. */
export interface FakeGitlabShape {
  /** Subgroups of the root group, each with one nested subgroup of its own when `nested` is set. */
  readonly subgroups: number;
  readonly nested: boolean;
  readonly projects: number;
  readonly mergeRequests: number;
  readonly issues: number;
  readonly pipelines: number;
  /** Jobs per pipeline. */
  readonly jobs: number;
  readonly deployments: number;
  readonly releases: number;
  readonly branches: number;
  /** Direct members of the root group (inherited by every subgroup). */
  readonly members: number;
  /** Direct members of each subgroup besides. */
  readonly subgroupMembers: number;
}

export const DEFAULT_GITLAB_SHAPE: FakeGitlabShape = {
  subgroups: 2,
  nested: true,
  projects: 4,
  mergeRequests: 2,
  issues: 2,
  pipelines: 2,
  jobs: 2,
  deployments: 1,
  releases: 1,
  branches: 2,
  members: 3,
  subgroupMembers: 1,
};

export interface FakeGitlabToken {
  readonly username: string;
  /** The token's scopes (`read_api`, `api`, …). */
  readonly scopes: readonly string[];
  /** A personal/group/project access token (answers `/personal_access_tokens/self`) or an OAuth token. */
  readonly type?: 'access_token' | 'oauth';
}

export interface FakeGitlabOptions {
  readonly shape?: Partial<FakeGitlabShape>;
  /** The instance's relative URL root (`/gitlab`); '' for an instance at the origin's root. */
  readonly relativeRoot?: string;
  /** Requests per token and window (GitLab.com: 2,000 a minute); answers carry `RateLimit-*`. */
  readonly rateLimit?: number;
  /** The rate limit's window (GitLab: a minute). */
  readonly windowSeconds?: number;
  /** Delay before each answer. */
  readonly latencyMs?: number;
  /** Keep every request in `requests` (off for benchmarks). */
  readonly recordRequests?: boolean;
  /** Whether group hooks can be created (Premium and the Owner role); false answers 403 as the Free tier does. */
  readonly groupHooks?: boolean;
}

export interface FakeGitlabStats {
  requests: number;
  rateLimited: number;
  maxInFlight: number;
}

export interface FakeHook {
  readonly id: number;
  readonly scope: 'group' | 'project';
  /** The group's or project's path. */
  readonly on: string;
  readonly url: string;
  readonly token: string;
  readonly events: Readonly<Record<string, boolean>>;
}

/** Something that happened at GitLab, for `hookEvent`. Projects are by index. */
export type HookEventInput =
  | { readonly type: 'merge_request' | 'issue'; readonly project: number; readonly iid: number; readonly action?: string }
  | { readonly type: 'pipeline' | 'job' | 'deployment'; readonly project: number; readonly id: number }
  | { readonly type: 'release'; readonly project: number; readonly tag: string; readonly action?: 'create' | 'update' | 'delete' }
  | { readonly type: 'tag_push' | 'push'; readonly project: number; readonly ref: string; readonly deleted?: boolean }
  | { readonly type: 'member'; readonly group: string; readonly userId: number; readonly eventName: string }
  | { readonly type: 'project'; readonly project: number; readonly eventName: string }
  | { readonly type: 'subgroup'; readonly fullPath: string; readonly eventName: string };

interface OAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface Grant {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string | null;
  readonly scopes: readonly string[];
  readonly username: string;
}

const ROOT = 'harbor';
const ROOT_GROUP_ID = 100;
const DAY_MS = 86_400_000;
const MAX_COUNTED = 10_000;

/** Project `i`'s numeric id. */
export const projectId = (index: number) => 27_000 + index;

/**
 * GitLab's REST API, OAuth and webhooks as Mooring's GitLab integration uses them, on loopback,
 * under a relative URL root as a self-managed instance may serve them.
 */
export class FakeGitlab {
  readonly stats: FakeGitlabStats = { requests: 0, rateLimited: 0, maxInFlight: 0 };
  readonly hooks: FakeHook[] = [];
  /** Token requests the OAuth endpoint received (form fields). */
  readonly tokenRequests: Record<string, string>[] = [];
  private readonly tokens = new Map<string, FakeGitlabToken>();
  private readonly refreshTokens = new Map<string, { username: string; scopes: readonly string[]; access: string }>();
  private readonly revoked = new Set<string>();
  private readonly windows = new Map<string, { start: number; observed: number }>();
  private readonly apps = new Map<string, OAuthApp>();
  private readonly grants = new Map<string, Grant>();
  private readonly forbidden = new Set<string>();
  /** Changes to generated items by key (`mr:<project>!<iid>`); null means deleted. */
  private readonly overrides = new Map<string, Json | null>();
  private injected: { afterRequests: number; count: number; retryAfterSeconds: number } | undefined;
  private inFlight = 0;
  private hookIds = 1;
  private shape: FakeGitlabShape;
  /** Dates hang off this day, so bodies stay the same run to run. */
  private readonly epoch = Math.floor(Date.now() / DAY_MS) * DAY_MS;

  private constructor(
    readonly server: LoopbackServer,
    private readonly options: FakeGitlabOptions,
  ) {
    this.shape = { ...DEFAULT_GITLAB_SHAPE, ...options.shape };
  }

  static async start(options: FakeGitlabOptions = {}): Promise<FakeGitlab> {
    const server = await LoopbackServer.start((request, response) => gitlab.handle(request, response));
    const gitlab = new FakeGitlab(server, options);
    return gitlab;
  }

  /** The installation's `host` setting for this instance (with its relative root). */
  get host(): string {
    return `${this.server.origin}${this.root}`;
  }

  get rootGroup(): string {
    return ROOT;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  /** Request paths under the API root, with their queries. */
  get apiPaths(): string[] {
    const prefix = `${this.root}/api/v4`;
    return this.server.requests.filter((r) => r.url.startsWith(prefix)).map((r) => r.url.slice(prefix.length));
  }

  private get root(): string {
    return this.options.relativeRoot ?? '/gitlab';
  }

  addToken(token: string, grant: FakeGitlabToken): string {
    this.tokens.set(token, grant);
    return token;
  }

  /** The token's owner revoked it: every later request with it gets 401. */
  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  /** An OAuth application registered on the instance (self-managed: the organization's own). */
  addOAuthApp(
    app: OAuthApp = { clientId: randomBytes(16).toString('hex'), clientSecret: `gloas-${randomBytes(24).toString('hex')}` },
  ): OAuthApp {
    this.apps.set(app.clientId, app);
    return app;
  }

  /** Every request about a project's `resource` (`pipelines`, `jobs`, …) answers 403, as for a Guest or with CI/CD off. */
  forbid(projectPath: string, resource: string): void {
    this.forbidden.add(`${projectPath}/${resource}`);
  }

  /** After `afterRequests` more requests, the next `count` answer 429 with `Retry-After`. */
  injectRateLimit(limit: { afterRequests: number; count?: number; retryAfterSeconds?: number }): void {
    this.injected = {
      afterRequests: this.stats.requests + limit.afterRequests,
      count: limit.count ?? 1,
      retryAfterSeconds: limit.retryAfterSeconds ?? 1,
    };
  }

  setShape(shape: Partial<FakeGitlabShape>): void {
    this.shape = { ...this.shape, ...shape };
  }

  /** Changes an item (`mr:<project>!<iid>`, `project:<path>`, …); null deletes it. */
  change(key: string, patch: Json | null): void {
    const before = this.overrides.get(key);
    this.overrides.set(key, patch === null ? null : { ...(before ?? {}), ...patch });
  }

  clearRequests(): void {
    this.server.requests.length = 0;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- the data ----------------------------------------------------------------------------

  private date(offsetMinutes: number): string {
    return new Date(this.epoch - DAY_MS + offsetMinutes * 60_000).toISOString();
  }

  private user(index: number): Json {
    const username = `user-${index}`;
    return {
      id: 1200 + index,
      username,
      name: `User ${index}`,
      state: 'active',
      locked: false,
      avatar_url: null,
      web_url: `${this.host}/${username}`,
    };
  }

  /** Every group: the root, its subgroups `team-<g>` and, when nested, `team-<g>/squad`. */
  groups(): Json[] {
    const groups: Json[] = [this.group(ROOT, ROOT_GROUP_ID, null, 'Harbor')];
    for (let g = 0; g < this.shape.subgroups; g++) {
      const id = ROOT_GROUP_ID + 1 + g * 2;
      groups.push(this.group(`${ROOT}/team-${g}`, id, ROOT_GROUP_ID, `Team ${g}`));
      if (this.shape.nested) groups.push(this.group(`${ROOT}/team-${g}/squad`, id + 1, id, 'Squad'));
    }
    return groups
      .map((group) => this.apply(`group:${group['full_path']}`, group))
      .filter((group): group is Json => group !== null);
  }

  private group(fullPath: string, id: number, parentId: number | null, name: string): Json {
    const path = fullPath.split('/').at(-1)!;
    const fullName = fullPath
      .split('/')
      .map((segment) => (segment === ROOT ? 'Harbor' : segment === path ? name : segment))
      .join(' / ');
    return {
      id,
      web_url: `${this.host}/groups/${fullPath}`,
      name,
      path,
      description: `${name} group`,
      visibility: 'private',
      share_with_group_lock: false,
      require_two_factor_authentication: false,
      two_factor_grace_period: 48,
      project_creation_level: 'developer',
      auto_devops_enabled: null,
      subgroup_creation_level: 'maintainer',
      emails_disabled: false,
      emails_enabled: true,
      mentions_disabled: null,
      lfs_enabled: true,
      default_branch: null,
      default_branch_protection: 2,
      avatar_url: null,
      request_access_enabled: true,
      full_name: fullName,
      full_path: fullPath,
      created_at: this.date(id),
      parent_id: parentId,
      organization_id: 1,
      shared_runners_setting: 'enabled',
      ldap_cn: null,
      ldap_access: null,
      marked_for_deletion_on: null,
      wiki_access_level: 'enabled',
    };
  }

  /** The group project `i` lives in. */
  private projectGroup(index: number): Json {
    const groups = this.groups();
    if (this.shape.subgroups === 0) return groups[0]!;
    const g = index % this.shape.subgroups;
    const path = this.shape.nested && index % 2 === 1 ? `${ROOT}/team-${g}/squad` : `${ROOT}/team-${g}`;
    return groups.find((group) => group['full_path'] === path) ?? groups[0]!;
  }

  projects(): Json[] {
    const projects: Json[] = [];
    for (let i = 0; i < this.shape.projects; i++) {
      const project = this.apply(`project:${this.projectPath(i)}`, this.project(i));
      if (project) projects.push(project);
    }
    return projects;
  }

  projectPath(index: number): string {
    return `${this.projectGroup(index)['full_path']}/svc-${index}`;
  }

  private project(index: number): Json {
    const group = this.projectGroup(index);
    const path = `svc-${index}`;
    const full = `${group['full_path']}/${path}`;
    const id = projectId(index);
    const web = `${this.host}/${full}`;
    const api = `${this.host}/api/v4/projects/${id}`;
    return {
      id,
      description: `Service ${index}`,
      name: path,
      name_with_namespace: `${group['full_name']} / ${path}`,
      path,
      path_with_namespace: full,
      created_at: this.date(index),
      default_branch: 'main',
      tag_list: index % 3 === 0 ? ['tier-1'] : [],
      topics: index % 3 === 0 ? ['tier-1'] : [],
      ssh_url_to_repo: `git@${new URL(this.host).host}:${full}.git`,
      http_url_to_repo: `${web}.git`,
      web_url: web,
      readme_url: `${web}/-/blob/main/README.md`,
      forks_count: 0,
      avatar_url: null,
      star_count: index % 5,
      last_activity_at: this.date(600 + index),
      namespace: {
        id: group['id'],
        name: group['name'],
        path: group['path'],
        kind: 'group',
        full_path: group['full_path'],
        parent_id: group['parent_id'],
        avatar_url: null,
        web_url: group['web_url'],
      },
      container_registry_image_prefix: `registry.example.com/${full}`,
      _links: {
        self: api,
        issues: `${api}/issues`,
        merge_requests: `${api}/merge_requests`,
        repo_branches: `${api}/repository/branches`,
        labels: `${api}/labels`,
        events: `${api}/events`,
        members: `${api}/members`,
        cluster_agents: `${api}/cluster_agents`,
      },
      packages_enabled: true,
      empty_repo: false,
      archived: false,
      visibility: 'private',
      resolve_outdated_diff_discussions: false,
      container_registry_enabled: true,
      issues_enabled: true,
      merge_requests_enabled: true,
      wiki_enabled: true,
      jobs_enabled: true,
      snippets_enabled: true,
      creator_id: 1200,
      import_status: 'none',
      open_issues_count: Math.ceil(this.shape.issues / 2),
      ci_default_git_depth: 20,
      public_jobs: true,
      shared_with_groups: [],
      only_allow_merge_if_pipeline_succeeds: false,
      request_access_enabled: true,
      merge_method: 'merge',
      squash_option: 'default_off',
    };
  }

  private reference(project: string, iid: number, sign: '!' | '#'): Json {
    return { short: `${sign}${iid}`, relative: `${sign}${iid}`, full: `${project}${sign}${iid}` };
  }

  mergeRequests(index: number): Json[] {
    const path = this.projectPath(index);
    const id = projectId(index);
    const items: Json[] = [];
    for (let iid = 1; iid <= this.shape.mergeRequests; iid++) {
      const merged = iid % 2 === 0;
      const author = this.user(iid % Math.max(1, this.shape.members));
      const mr: Json = {
        id: id * 1000 + iid,
        iid,
        project_id: id,
        title: `Change ${iid} of ${path}`,
        description: `Changes ${iid}`,
        state: merged ? 'merged' : 'opened',
        created_at: this.date(iid * 10),
        updated_at: this.date(iid * 10 + 300),
        merged_by: merged ? author : null,
        merge_user: merged ? author : null,
        merged_at: merged ? this.date(iid * 10 + 300) : null,
        closed_by: null,
        closed_at: null,
        target_branch: 'main',
        source_branch: `feature-${iid}`,
        user_notes_count: iid,
        upvotes: 0,
        downvotes: 0,
        author,
        assignees: [author],
        assignee: author,
        reviewers: [this.user((iid + 1) % Math.max(1, this.shape.members))],
        source_project_id: id,
        target_project_id: id,
        labels: ['backend'],
        draft: false,
        work_in_progress: false,
        milestone: null,
        merge_when_pipeline_succeeds: false,
        merge_status: merged ? 'can_be_merged' : 'checking',
        detailed_merge_status: merged ? 'not_open' : 'mergeable',
        sha: sha(`${path}!${iid}`),
        merge_commit_sha: merged ? sha(`${path}!${iid}:merge`) : null,
        squash_commit_sha: null,
        discussion_locked: null,
        should_remove_source_branch: null,
        force_remove_source_branch: true,
        prepared_at: this.date(iid * 10 + 1),
        reference: `!${iid}`,
        references: this.reference(path, iid, '!'),
        web_url: `${this.host}/${path}/-/merge_requests/${iid}`,
        time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
        squash: false,
        squash_on_merge: false,
        task_completion_status: { count: 0, completed_count: 0 },
        has_conflicts: false,
        blocking_discussions_resolved: true,
      };
      const changed = this.apply(`mr:${path}!${iid}`, mr);
      if (changed) items.push(changed);
    }
    return items;
  }

  issues(index: number): Json[] {
    const path = this.projectPath(index);
    const id = projectId(index);
    const items: Json[] = [];
    for (let iid = 1; iid <= this.shape.issues; iid++) {
      const closed = iid % 2 === 0;
      const author = this.user(iid % Math.max(1, this.shape.members));
      const issue: Json = {
        id: id * 1000 + 500 + iid,
        iid,
        project_id: id,
        title: `Issue ${iid} of ${path}`,
        description: null,
        state: closed ? 'closed' : 'opened',
        created_at: this.date(iid * 7),
        updated_at: this.date(iid * 7 + 200),
        closed_at: closed ? this.date(iid * 7 + 200) : null,
        closed_by: closed ? author : null,
        labels: ['bug'],
        milestone: null,
        assignees: [],
        author,
        type: 'ISSUE',
        assignee: null,
        user_notes_count: 0,
        merge_requests_count: 0,
        upvotes: 0,
        downvotes: 0,
        due_date: null,
        confidential: false,
        discussion_locked: null,
        issue_type: 'issue',
        web_url: `${this.host}/${path}/-/issues/${iid}`,
        time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
        task_completion_status: { count: 0, completed_count: 0 },
        has_tasks: false,
        _links: {},
        references: this.reference(path, iid, '#'),
        severity: 'UNKNOWN',
        moved_to_id: null,
        service_desk_reply_to: null,
      };
      const changed = this.apply(`issue:${path}#${iid}`, issue);
      if (changed) items.push(changed);
    }
    return items;
  }

  pipelines(index: number): Json[] {
    const path = this.projectPath(index);
    const id = projectId(index);
    const items: Json[] = [];
    for (let k = this.shape.pipelines; k >= 1; k--) {
      const pipeline: Json = {
        id: id * 1000 + k,
        iid: k,
        project_id: id,
        sha: sha(`${path}:pipeline:${k}`),
        ref: 'main',
        status: k === this.shape.pipelines ? 'running' : 'success',
        source: 'push',
        created_at: this.date(k * 5),
        updated_at: this.date(k * 5 + 4),
        web_url: `${this.host}/${path}/-/pipelines/${id * 1000 + k}`,
        name: null,
      };
      const changed = this.apply(`pipeline:${path}:${pipeline['id']}`, pipeline);
      if (changed) items.push(changed);
    }
    return items;
  }

  /** The detailed pipeline of `GET /projects/:id/pipelines/:pipeline_id`. */
  private pipelineDetail(pipeline: Json): Json {
    return {
      ...pipeline,
      before_sha: '0000000000000000000000000000000000000000',
      tag: false,
      yaml_errors: null,
      user: this.user(0),
      started_at: pipeline['created_at'],
      finished_at: pipeline['status'] === 'success' ? pipeline['updated_at'] : null,
      committed_at: null,
      duration: 240,
      queued_duration: 3,
      coverage: null,
      detailed_status: {
        icon: `status_${pipeline['status']}`,
        text: pipeline['status'],
        label: pipeline['status'],
        group: pipeline['status'],
      },
    };
  }

  jobs(index: number): Json[] {
    const path = this.projectPath(index);
    const items: Json[] = [];
    for (const pipeline of this.pipelines(index)) {
      for (let j = this.shape.jobs; j >= 1; j--) {
        const id = Number(pipeline['id']) * 10 + j;
        const job: Json = {
          id,
          status: pipeline['status'] === 'running' && j === this.shape.jobs ? 'running' : 'success',
          stage: j === 1 ? 'build' : 'test',
          name: j === 1 ? 'build' : `test-${j}`,
          ref: 'main',
          tag: false,
          coverage: null,
          allow_failure: false,
          created_at: pipeline['created_at'],
          started_at: pipeline['created_at'],
          finished_at: pipeline['status'] === 'success' ? pipeline['updated_at'] : null,
          erased_at: null,
          duration: pipeline['status'] === 'success' ? 120.5 : null,
          queued_duration: 1.2,
          user: this.user(0),
          commit: {
            id: pipeline['sha'],
            short_id: String(pipeline['sha']).slice(0, 8),
            title: 'Commit',
            message: 'Commit\n',
            author_name: 'User 0',
            author_email: 'user-0@example.com',
            created_at: pipeline['created_at'],
          },
          pipeline: {
            id: pipeline['id'],
            iid: pipeline['iid'],
            project_id: pipeline['project_id'],
            ref: pipeline['ref'],
            sha: pipeline['sha'],
            status: pipeline['status'],
          },
          failure_reason: null,
          web_url: `${this.host}/${path}/-/jobs/${id}`,
          project: { ci_job_token_scope_enabled: false },
          artifacts: [],
          runner: null,
          artifacts_expire_at: null,
          archived: false,
          tag_list: [],
        };
        const changed = this.apply(`job:${path}:${id}`, job);
        if (changed) items.push(changed);
      }
    }
    return items.sort((a, b) => b['id'] - a['id']);
  }

  environments(index: number): Json[] {
    if (!this.shape.deployments) return [];
    const id = projectId(index);
    return [
      {
        id: id * 10 + 1,
        name: 'production',
        slug: 'production',
        external_url: `https://svc-${index}.example.com`,
        state: 'available',
        tier: 'production',
        created_at: this.date(1),
        updated_at: this.date(2),
        auto_stop_at: null,
        description: null,
      },
    ];
  }

  deployments(index: number): Json[] {
    const path = this.projectPath(index);
    const id = projectId(index);
    const [environment] = this.environments(index);
    const items: Json[] = [];
    for (let k = 1; k <= this.shape.deployments; k++) {
      const deployment: Json = {
        id: id * 100 + k,
        iid: k,
        ref: 'main',
        sha: sha(`${path}:deploy:${k}`),
        status: 'success',
        created_at: this.date(k * 20),
        updated_at: this.date(k * 20 + 3),
        user: this.user(0),
        deployable: null,
        environment: {
          id: environment!['id'],
          name: environment!['name'],
          slug: environment!['slug'],
          external_url: environment!['external_url'],
          state: environment!['state'],
          tier: environment!['tier'],
          created_at: environment!['created_at'],
          updated_at: environment!['updated_at'],
        },
      };
      const changed = this.apply(`deployment:${path}:${deployment['id']}`, deployment);
      if (changed) items.push(changed);
    }
    return items.sort((a, b) => Date.parse(b['updated_at']) - Date.parse(a['updated_at']));
  }

  releases(index: number): Json[] {
    const path = this.projectPath(index);
    const items: Json[] = [];
    for (let k = this.shape.releases; k >= 1; k--) {
      const tag = `v1.${k}.0`;
      const release: Json = {
        name: `Release ${tag}`,
        tag_name: tag,
        description: `Notes for ${tag}`,
        created_at: this.date(k * 30),
        released_at: this.date(k * 30),
        upcoming_release: false,
        author: this.user(0),
        commit: { id: sha(`${path}:${tag}`), short_id: sha(`${path}:${tag}`).slice(0, 8), title: `Release ${tag}` },
        milestones: [],
        commit_path: `/${path}/-/commit/${sha(`${path}:${tag}`)}`,
        tag_path: `/${path}/-/tags/${tag}`,
        assets: { count: 0, sources: [], links: [] },
        evidences: [],
        _links: { self: `${this.host}/${path}/-/releases/${tag}` },
      };
      const changed = this.apply(`release:${path}:${tag}`, release);
      if (changed) items.push(changed);
    }
    return items;
  }

  tags(index: number): Json[] {
    const path = this.projectPath(index);
    const items: Json[] = [];
    for (let k = this.shape.releases; k >= 1; k--) {
      const name = `v1.${k}.0`;
      const target = sha(`${path}:${name}`);
      const tag: Json = {
        name,
        message: null,
        target,
        commit: { id: target, short_id: target.slice(0, 8), title: `Release ${name}`, created_at: this.date(k * 30) },
        release: { tag_name: name, description: `Notes for ${name}` },
        protected: true,
        created_at: null,
      };
      const changed = this.apply(`tag:${path}:${name}`, tag);
      if (changed) items.push(changed);
    }
    return items;
  }

  branches(index: number): Json[] {
    const path = this.projectPath(index);
    const items: Json[] = [];
    for (let k = 0; k < this.shape.branches; k++) {
      const name = k === 0 ? 'main' : `feature-${k}`;
      const commit = sha(`${path}:branch:${name}`);
      const branch: Json = {
        name,
        merged: false,
        protected: k === 0,
        default: k === 0,
        developers_can_push: false,
        developers_can_merge: false,
        can_push: true,
        web_url: `${this.host}/${path}/-/tree/${name}`,
        commit: {
          id: commit,
          short_id: commit.slice(0, 8),
          title: 'Commit',
          message: 'Commit\n',
          author_name: 'User 0',
          authored_date: this.date(k),
          committed_date: this.date(k),
        },
      };
      const changed = this.apply(`branch:${path}:${name}`, branch);
      if (changed) items.push(changed);
    }
    return items;
  }

  /** A group's members: direct, or with those inherited from its ancestors (`/members/all`). */
  members(groupPath: string, inherited: boolean): Json[] {
    const group = this.groups().find((candidate) => candidate['full_path'] === groupPath);
    if (!group) return [];
    const members: Json[] = [];
    const member = (index: number, accessLevel: number): Json => ({
      ...this.user(index),
      access_level: accessLevel,
      created_at: this.date(index),
      created_by: this.user(0),
      expires_at: null,
      membership_state: 'active',
      group_saml_identity: null,
      ...(index % 2 === 0 ? { email: `user-${index}@harbor.example` } : {}),
    });
    if (groupPath === ROOT || inherited) {
      for (let i = 0; i < this.shape.members; i++) members.push(member(i, i === 0 ? 50 : 30));
      // A group access token's bot user.
      if (groupPath === ROOT)
        members.push({ ...member(900, 40), username: `group_${ROOT_GROUP_ID}_bot_${'a'.repeat(32)}`, name: 'Mooring sync bot' });
    }
    if (groupPath !== ROOT) {
      const base = 100 + Number(group['id']) * 10;
      for (let i = 0; i < this.shape.subgroupMembers; i++) members.push(member(base + i, 30));
    }
    return members.map((m) => this.apply(`member:${groupPath}:${m['id']}`, m)).filter((m): m is Json => m !== null);
  }

  private apply(key: string, item: Json): Json | null {
    if (!this.overrides.has(key)) return item;
    const override = this.overrides.get(key);
    return override === null ? null : { ...item, ...override };
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(request: RecordedRequest, response: http.ServerResponse): Promise<void> {
    if (this.options.recordRequests === false) this.server.requests.pop();
    this.stats.requests++;
    this.inFlight++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    try {
      if (this.options.latencyMs) await sleep(this.options.latencyMs);
      this.answer(request, response);
    } finally {
      this.inFlight--;
    }
  }

  private answer(request: RecordedRequest, response: http.ServerResponse): void {
    const url = new URL(request.url, this.server.origin);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      response.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'max-age=0, private, must-revalidate',
        'x-request-id': randomUUID().replace(/-/g, '').toUpperCase().slice(0, 26),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        vary: 'Origin',
        date: new Date().toUTCString(),
        ...headers,
      });
      response.end(text);
    };
    if (!url.pathname.startsWith(`${this.root}/`)) return send(404, { message: '404 Not Found' });
    const path = url.pathname.slice(this.root.length);
    if (path.startsWith('/oauth/')) return this.oauth(path, url, request, send);
    if (!path.startsWith('/api/v4/')) return send(404, { message: '404 Not Found' });
    const route = path.slice('/api/v4'.length);

    const token =
      /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''))?.[1] ?? String(request.headers['private-token'] ?? '');
    const grant = this.revoked.has(token) ? undefined : this.tokens.get(token);
    if (!grant) return send(401, { message: '401 Unauthorized' });
    if (
      !grant.scopes.some((scope) => scope === 'api' || scope === 'read_api' || (route === '/user' && scope === 'read_user')) &&
      route !== '/personal_access_tokens/self'
    ) {
      return send(403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api read_api',
      });
    }

    const window = this.window(token);
    const rateHeaders = () => {
      const reset = window.start + this.windowSeconds;
      return {
        'ratelimit-limit': String(this.limit),
        'ratelimit-observed': String(window.observed),
        'ratelimit-remaining': String(Math.max(0, this.limit - window.observed)),
        'ratelimit-reset': String(reset),
        'ratelimit-resettime': new Date(reset * 1000).toUTCString(),
      };
    };
    window.observed++;
    const injected = this.injected && this.stats.requests > this.injected.afterRequests && this.injected.count > 0;
    if (injected || window.observed > this.limit) {
      if (injected) this.injected!.count--;
      this.stats.rateLimited++;
      const retryAfter = injected
        ? this.injected!.retryAfterSeconds
        : Math.max(1, window.start + this.windowSeconds - Math.floor(Date.now() / 1000));
      return send(429, 'Retry later\n', { ...rateHeaders(), 'retry-after': String(retryAfter) });
    }

    if (request.method === 'POST' || request.method === 'DELETE')
      return this.hookRoute(request.method, route, request.body, grant, send, rateHeaders());
    const forProject = /^\/projects\/([^/]+)\/(.+)$/.exec(route);
    const located = forProject ? this.projectByRef(forProject[1]!) : undefined;
    const forbidden =
      located !== undefined &&
      [...this.forbidden].some(
        (entry) =>
          entry.startsWith(`${located.project['path_with_namespace']}/`) &&
          forProject![2]!.startsWith(entry.slice(String(located.project['path_with_namespace']).length + 1)),
      );
    if (forbidden) return send(403, { message: '403 Forbidden' }, rateHeaders());

    const body = this.route(route, url.searchParams, grant);
    if (body === undefined) return send(404, { message: this.notFoundMessage(route) }, rateHeaders());
    if (!Array.isArray(body)) return send(200, body, rateHeaders());
    return this.page(body, url, send, rateHeaders());
  }

  private get windowSeconds(): number {
    return this.options.windowSeconds ?? 60;
  }

  private get limit(): number {
    return this.options.rateLimit ?? 2000;
  }

  private window(token: string): { start: number; observed: number } {
    const now = Math.floor(Date.now() / 1000);
    let window = this.windows.get(token);
    if (!window || window.start + this.windowSeconds <= now) {
      window = { start: now, observed: 0 };
      this.windows.set(token, window);
    }
    return window;
  }

  private notFoundMessage(route: string): string {
    if (/^\/projects\/[^/]+$/.test(route) || /^\/projects\/[^/]+\/(?!repository\/files)/.test(route)) {
      if (/\/merge_requests\//.test(route)) return '404 Not found';
      if (/\/repository\/tags\//.test(route)) return '404 Tag Not Found';
      if (/\/repository\/branches\//.test(route)) return '404 Branch Not Found';
      return '404 Project Not Found';
    }
    if (/\/repository\/files\//.test(route)) return '404 File Not Found';
    if (route.startsWith('/groups/')) return '404 Group Not Found';
    return '404 Not found';
  }

  /** One page of a listing: keyset (`pagination=keyset`, `Link` only) or offset (`X-*` headers and `Link`). */
  private page(
    items: Json[],
    url: URL,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    rate: Record<string, string>,
  ): void {
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 20) || 20, 1), 100);
    const link = (params: Record<string, string>) => {
      const target = new URL(url);
      for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
      return `<${target.toString()}>`;
    };
    if (url.searchParams.get('pagination') === 'keyset') {
      const after = url.searchParams.get('id_after');
      const before = url.searchParams.get('id_before');
      const rest = items.filter(
        (item) => (after === null || item['id'] > Number(after)) && (before === null || item['id'] < Number(before)),
      );
      const page = rest.slice(0, perPage);
      const headers: Record<string, string> = { ...rate };
      if (rest.length > perPage) {
        const last = page.at(-1)!['id'];
        const next: Record<string, string> =
          url.searchParams.get('sort') === 'desc' ? { id_before: String(last) } : { id_after: String(last) };
        headers['link'] = `${link(next)}; rel="next"`;
      }
      return send(200, page, headers);
    }
    const pageNumber = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const page = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    const next = pageNumber < totalPages ? String(pageNumber + 1) : '';
    const prev = pageNumber > 1 ? String(pageNumber - 1) : '';
    const counted = items.length <= MAX_COUNTED;
    const links = [
      ...(prev ? [`${link({ page: prev, per_page: String(perPage) })}; rel="prev"`] : []),
      ...(next ? [`${link({ page: next, per_page: String(perPage) })}; rel="next"`] : []),
      `${link({ page: '1', per_page: String(perPage) })}; rel="first"`,
      ...(counted ? [`${link({ page: String(totalPages), per_page: String(perPage) })}; rel="last"`] : []),
    ];
    send(200, page, {
      ...rate,
      link: links.join(', '),
      'x-page': String(pageNumber),
      'x-per-page': String(perPage),
      'x-next-page': next,
      'x-prev-page': prev,
      ...(counted ? { 'x-total': String(items.length), 'x-total-pages': String(totalPages) } : {}),
    });
  }

  private projectByRef(ref: string): { project: Json; index: number } | undefined {
    const decoded = decodeURIComponent(ref);
    const numeric = /^\d+$/.test(decoded);
    const index = numeric ? Number(decoded) - projectId(0) : Number(/\/svc-(\d+)$/.exec(decoded)?.[1] ?? NaN);
    if (!Number.isInteger(index) || index < 0 || index >= this.shape.projects) return undefined;
    const project = this.apply(`project:${this.projectPath(index)}`, this.project(index));
    if (!project || (!numeric && project['path_with_namespace'] !== decoded)) return undefined;
    return { project, index };
  }

  private groupByRef(ref: string): Json | undefined {
    const decoded = decodeURIComponent(ref);
    return this.groups().find((group) => String(group['id']) === decoded || group['full_path'] === decoded);
  }

  /** A body, a listing (an array) to page, or undefined for a 404. */
  private route(route: string, query: URLSearchParams, grant: FakeGitlabToken): Json | Json[] | undefined {
    if (route === '/user') return this.currentUser(grant);
    if (route === '/personal_access_tokens/self') {
      if (grant.type === 'oauth') return undefined;
      return {
        id: 4821,
        name: 'mooring-sync',
        revoked: false,
        created_at: this.date(0),
        description: 'Mooring catalog sync',
        scopes: [...grant.scopes],
        user_id: this.currentUser(grant)['id'],
        last_used_at: new Date().toISOString(),
        active: true,
        expires_at: new Date(this.epoch + 365 * DAY_MS).toISOString().slice(0, 10),
      };
    }
    if (route === '/groups') return this.groups();
    if (route === '/projects') {
      const archived = query.get('archived');
      return this.projects().filter((p) => archived === null || String(p['archived']) === archived);
    }
    const groupRoute = /^\/groups\/([^/]+)(\/.*)?$/.exec(route);
    if (groupRoute) {
      const group = this.groupByRef(groupRoute[1]!);
      if (!group) return undefined;
      const rest = groupRoute[2] ?? '';
      const fullPath = String(group['full_path']);
      const within = (path: string) => path.startsWith(`${fullPath}/`);
      if (rest === '') return group;
      if (rest === '/descendant_groups') return this.groups().filter((g) => within(g['full_path']));
      if (rest === '/subgroups') return this.groups().filter((g) => g['parent_id'] === group['id']);
      if (rest === '/projects') {
        const archived = query.get('archived');
        const subgroups = query.get('include_subgroups') === 'true';
        return this.projects().filter(
          (p) =>
            (subgroups ? within(p['path_with_namespace']) : p['namespace']['full_path'] === fullPath) &&
            (archived === null || String(p['archived']) === archived),
        );
      }
      if (rest === '/merge_requests' || rest === '/issues') {
        const state = query.get('state');
        return this.projects()
          .filter((p) => within(p['path_with_namespace']))
          .flatMap((p) => {
            const index = Number(p['id']) - projectId(0);
            return rest === '/issues' ? this.issues(index) : this.mergeRequests(index);
          })
          .filter((item) => state === null || state === 'all' || item['state'] === state);
      }
      if (rest === '/members') return this.members(fullPath, false);
      if (rest === '/members/all') return this.members(fullPath, true);
      const member = /^\/members(\/all)?\/(\d+)$/.exec(rest);
      if (member) return this.members(fullPath, member[1] !== undefined).find((m) => String(m['id']) === member[2]);
      if (rest === '/hooks')
        return this.hooks.filter((h) => h.scope === 'group' && h.on === fullPath).map((h) => this.hookBody(h));
      return undefined;
    }
    const projectRoute = /^\/projects\/([^/]+)(\/.*)?$/.exec(route);
    if (!projectRoute) return undefined;
    const located = this.projectByRef(projectRoute[1]!);
    if (!located) return undefined;
    const { project, index } = located;
    const rest = projectRoute[2] ?? '';
    const one = (items: Json[], key: string, value: string) =>
      items.find((item) => String(item[key]) === decodeURIComponent(value));
    if (rest === '') return project;
    if (rest === '/languages') return { TypeScript: 81.42, Shell: 18.58 };
    const file = /^\/repository\/files\/([^/]+)$/.exec(rest);
    if (file) {
      const name = decodeURIComponent(file[1]!);
      if (name !== 'README.md') return undefined;
      const content = `# ${project['name']}\n\n${project['description']}\n`;
      return {
        file_name: name,
        file_path: name,
        size: Buffer.byteLength(content),
        encoding: 'base64',
        content_sha256: createHash('sha256').update(content).digest('hex'),
        ref: query.get('ref') ?? 'main',
        blob_id: sha(`${project['path_with_namespace']}:blob`),
        commit_id: sha(`${project['path_with_namespace']}:commit`),
        last_commit_id: sha(`${project['path_with_namespace']}:commit`),
        execute_filemode: false,
        content: Buffer.from(content).toString('base64'),
      };
    }
    const state = query.get('state');
    if (rest === '/merge_requests')
      return this.mergeRequests(index).filter((mr) => state === null || state === 'all' || mr['state'] === state);
    const mr = /^\/merge_requests\/(\d+)$/.exec(rest);
    if (mr) return one(this.mergeRequests(index), 'iid', mr[1]!);
    if (rest === '/issues')
      return this.issues(index).filter((issue) => state === null || state === 'all' || issue['state'] === state);
    const issue = /^\/issues\/(\d+)$/.exec(rest);
    if (issue) return one(this.issues(index), 'iid', issue[1]!);
    if (rest === '/pipelines') return this.pipelines(index);
    const pipeline = /^\/pipelines\/(\d+)$/.exec(rest);
    if (pipeline) {
      const found = one(this.pipelines(index), 'id', pipeline[1]!);
      return found && this.pipelineDetail(found);
    }
    if (rest === '/jobs') return this.jobs(index);
    const job = /^\/jobs\/(\d+)$/.exec(rest);
    if (job) return one(this.jobs(index), 'id', job[1]!);
    if (rest === '/deployments') return this.deployments(index);
    const deployment = /^\/deployments\/(\d+)$/.exec(rest);
    if (deployment) return one(this.deployments(index), 'id', deployment[1]!);
    if (rest === '/environments') return this.environments(index);
    const environment = /^\/environments\/(\d+)$/.exec(rest);
    if (environment) return one(this.environments(index), 'id', environment[1]!);
    if (rest === '/releases') return this.releases(index);
    const release = /^\/releases\/([^/]+)$/.exec(rest);
    if (release) return one(this.releases(index), 'tag_name', release[1]!);
    if (rest === '/repository/tags') return this.tags(index);
    const tag = /^\/repository\/tags\/([^/]+)$/.exec(rest);
    if (tag) return one(this.tags(index), 'name', tag[1]!);
    if (rest === '/repository/branches') return this.branches(index);
    const branch = /^\/repository\/branches\/([^/]+)$/.exec(rest);
    if (branch) return one(this.branches(index), 'name', branch[1]!);
    if (rest === '/hooks') {
      const path = project['path_with_namespace'];
      return this.hooks.filter((h) => h.scope === 'project' && h.on === path).map((h) => this.hookBody(h));
    }
    return undefined;
  }

  private currentUser(grant: FakeGitlabToken): Json {
    return {
      id: 1200,
      username: grant.username,
      name: grant.username,
      state: 'active',
      locked: false,
      avatar_url: null,
      web_url: `${this.host}/${grant.username}`,
      created_at: this.date(0),
      bio: '',
      public_email: null,
      bot: false,
      is_admin: false,
    };
  }

  // ---- hooks -------------------------------------------------------------------------------

  private hookRoute(
    method: string,
    route: string,
    body: string,
    grant: FakeGitlabToken,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    rate: Record<string, string>,
  ): void {
    if (!grant.scopes.includes('api')) {
      return send(403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      });
    }
    const match = /^\/(groups|projects)\/([^/]+)\/hooks(?:\/(\d+))?$/.exec(route);
    if (!match) return send(404, { message: '404 Not Found' }, rate);
    const scope = match[1] === 'groups' ? 'group' : 'project';
    const on =
      scope === 'group'
        ? this.groupByRef(match[2]!)?.['full_path']
        : this.projectByRef(match[2]!)?.project['path_with_namespace'];
    if (!on) return send(404, { message: scope === 'group' ? '404 Group Not Found' : '404 Project Not Found' }, rate);
    if (method === 'DELETE') {
      const index = this.hooks.findIndex((h) => h.id === Number(match[3]) && h.scope === scope && h.on === on);
      if (index < 0) return send(404, { message: '404 Not found' }, rate);
      this.hooks.splice(index, 1);
      response204(send, rate);
      return;
    }
    if (scope === 'group' && this.options.groupHooks === false) return send(403, { message: '403 Forbidden' }, rate);
    if (scope === 'project' && [...this.forbidden].includes(`${on}/hooks`)) return send(403, { message: '403 Forbidden' }, rate);
    let parsed: Json;
    try {
      parsed = JSON.parse(body) as Json;
    } catch {
      return send(400, { message: '400 Bad request' }, rate);
    }
    if (typeof parsed['url'] !== 'string' || !parsed['url']) return send(400, { message: { url: ["can't be blank"] } }, rate);
    const events = Object.fromEntries(
      Object.entries(parsed).filter(([name, value]) => name.endsWith('_events') && typeof value === 'boolean'),
    );
    const hook: FakeHook = { id: this.hookIds++, scope, on, url: parsed['url'], token: String(parsed['token'] ?? ''), events };
    this.hooks.push(hook);
    send(201, this.hookBody(hook), rate);
  }

  private hookBody(hook: FakeHook): Json {
    return {
      id: hook.id,
      url: hook.url,
      name: 'Mooring',
      description: 'Mooring live events',
      created_at: this.date(0),
      ...hook.events,
      enable_ssl_verification: true,
      alert_status: 'executable',
      disabled_until: null,
      url_variables: [],
      custom_headers: [],
      ...(hook.scope === 'group'
        ? { group_id: this.groupByRef(hook.on)?.['id'] }
        : { project_id: this.projectByRef(hook.on)?.project['id'] }),
    };
  }

  /**
   * The HTTP request GitLab would send for `event` to a hook with `token`: its headers (lower case,
   * as Node gives them) and raw body. `event` is the `X-Gitlab-Event` value.
   */
  delivery(event: string, payload: Json, token: string | null): { headers: Record<string, string>; rawBody: Buffer } {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitLab/19.4.0',
      'x-gitlab-event': event,
      'x-gitlab-instance': this.host,
      'x-gitlab-webhook-uuid': randomUUID(),
      'x-gitlab-event-uuid': randomUUID(),
      'idempotency-key': randomUUID(),
    };
    if (token !== null) headers['x-gitlab-token'] = token;
    return { headers, rawBody: Buffer.from(JSON.stringify(payload)) };
  }

  /**
   * Sends `event` to every hook covering `path` (a project's own hooks, and the hooks of the groups
   * it lies in), as GitLab does; `token` replaces the hook's secret token (null: none sent).
   */
  async deliver(
    event: string,
    payload: Json,
    path: string,
    options: { token?: string | null } = {},
  ): Promise<Array<{ status: number; body: string }>> {
    const covering = this.hooks.filter((h) =>
      h.scope === 'project' ? h.on === path : path === h.on || path.startsWith(`${h.on}/`),
    );
    const answers: Array<{ status: number; body: string }> = [];
    for (const hook of covering) {
      const { headers, rawBody } = this.delivery(event, payload, options.token === undefined ? hook.token : options.token);
      const response = await fetch(hook.url, { method: 'POST', headers, body: rawBody });
      answers.push({ status: response.status, body: await response.text() });
    }
    return answers;
  }

  /** The `project` object of webhook payloads (its `namespace` is a name, `visibility_level` a number). */
  hookProject(index: number): Json {
    const project = this.projects().find((p) => p['id'] === projectId(index)) ?? this.project(index);
    return {
      id: project['id'],
      name: project['name'],
      description: project['description'],
      web_url: project['web_url'],
      avatar_url: null,
      git_ssh_url: project['ssh_url_to_repo'],
      git_http_url: project['http_url_to_repo'],
      namespace: project['namespace']['name'],
      visibility_level: 0,
      path_with_namespace: project['path_with_namespace'],
      default_branch: 'main',
      ci_config_path: null,
      homepage: project['web_url'],
      url: project['ssh_url_to_repo'],
      ssh_url: project['ssh_url_to_repo'],
      http_url: project['http_url_to_repo'],
    };
  }

  /**
   * What GitLab sends when `what` happens, built from the instance's current data in the shapes of
   * GitLab's webhook documentation (its date formats included): the `X-Gitlab-Event` and the body.
   */
  hookEvent(what: HookEventInput): { event: string; payload: Json } {
    const user = this.hookUser();
    const zero = '0000000000000000000000000000000000000000';
    const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    switch (what.type) {
      case 'merge_request': {
        const mr = this.mergeRequests(what.project).find((m) => m['iid'] === what.iid) ?? { iid: what.iid, id: 0 };
        const project = this.hookProject(what.project);
        return {
          event: 'Merge Request Hook',
          payload: {
            object_kind: 'merge_request',
            event_type: 'merge_request',
            user,
            project,
            object_attributes: {
              id: mr['id'],
              iid: mr['iid'],
              title: mr['title'],
              state: mr['state'],
              action: what.action ?? 'update',
              source_branch: mr['source_branch'],
              target_branch: mr['target_branch'],
              source_project_id: project['id'],
              target_project_id: project['id'],
              author_id: 1200,
              assignee_ids: [],
              reviewer_ids: [],
              created_at: String(mr['created_at']).replace(/\.\d+Z$/, 'Z'),
              updated_at: String(mr['updated_at']).replace(/\.\d+Z$/, 'Z'),
              draft: false,
              merge_status: mr['merge_status'],
              detailed_merge_status: mr['detailed_merge_status'],
              url: mr['web_url'],
              labels: [],
            },
            labels: [],
            changes: {},
            repository: { name: project['name'], url: project['git_ssh_url'], homepage: project['web_url'] },
          },
        };
      }
      case 'issue': {
        const issue = this.issues(what.project).find((i) => i['iid'] === what.iid) ?? { iid: what.iid, id: 0 };
        return {
          event: 'Issue Hook',
          payload: {
            object_kind: 'issue',
            event_type: 'issue',
            user,
            project: this.hookProject(what.project),
            object_attributes: {
              id: issue['id'],
              iid: issue['iid'],
              title: issue['title'],
              state: issue['state'],
              state_id: issue['state'] === 'closed' ? 2 : 1,
              action: what.action ?? 'update',
              created_at: issue['created_at'] ? utc(issue['created_at']) : null,
              updated_at: issue['updated_at'] ? utc(issue['updated_at']) : null,
              url: issue['web_url'],
              type: 'Issue',
              labels: [],
              assignee_ids: [],
              author_id: 1200,
              project_id: projectId(what.project),
              confidential: false,
            },
            changes: {},
            labels: [],
            assignees: [],
          },
        };
      }
      case 'pipeline': {
        const pipeline = this.pipelines(what.project).find((p) => p['id'] === what.id) ?? { id: what.id };
        return {
          event: 'Pipeline Hook',
          payload: {
            object_kind: 'pipeline',
            object_attributes: {
              id: pipeline['id'],
              iid: pipeline['iid'],
              name: null,
              ref: pipeline['ref'],
              tag: false,
              sha: pipeline['sha'],
              before_sha: zero,
              source: pipeline['source'],
              status: pipeline['status'],
              stages: ['build', 'test'],
              created_at: pipeline['created_at'] ? utc(pipeline['created_at']) : null,
              finished_at: null,
              duration: null,
              variables: [],
              url: pipeline['web_url'],
            },
            user,
            project: this.hookProject(what.project),
            commit: null,
            builds: [],
          },
        };
      }
      case 'job': {
        const job = this.jobs(what.project).find((j) => j['id'] === what.id) ?? { id: what.id, pipeline: {} };
        const project = this.hookProject(what.project);
        return {
          event: 'Job Hook',
          payload: {
            object_kind: 'build',
            ref: job['ref'],
            tag: false,
            before_sha: zero,
            sha: job['commit']?.['id'],
            retries_count: 0,
            build_id: job['id'],
            build_name: job['name'],
            build_stage: job['stage'],
            build_status: job['status'],
            build_created_at: job['created_at'] ? utc(job['created_at']) : null,
            build_started_at: null,
            build_finished_at: null,
            build_duration: job['duration'],
            build_queued_duration: job['queued_duration'],
            build_allow_failure: false,
            build_failure_reason: 'unknown_failure',
            pipeline_id: job['pipeline']['id'],
            project_id: project['id'],
            project_name: project['name'],
            user,
            commit: {
              id: job['pipeline']['id'],
              name: null,
              sha: job['commit']?.['id'],
              message: 'Commit',
              status: job['status'],
            },
            repository: { name: project['name'], url: project['git_ssh_url'], homepage: project['web_url'] },
            project,
            runner: null,
            environment: null,
          },
        };
      }
      case 'deployment': {
        const deployment = this.deployments(what.project).find((d) => d['id'] === what.id) ?? { id: what.id, environment: {} };
        const project = this.hookProject(what.project);
        return {
          event: 'Deployment Hook',
          payload: {
            object_kind: 'deployment',
            status: deployment['status'],
            status_changed_at: new Date()
              .toISOString()
              .replace('T', ' ')
              .replace(/\.\d+Z$/, ' +0000'),
            deployment_id: deployment['id'],
            deployable_id: null,
            deployable_url: null,
            environment: deployment['environment']['name'],
            environment_tier: deployment['environment']['tier'],
            environment_slug: deployment['environment']['slug'],
            environment_external_url: deployment['environment']['external_url'],
            project,
            short_sha: String(deployment['sha'] ?? '').slice(0, 8),
            user,
            user_url: `${this.host}/user-0`,
            commit_url: `${project['web_url']}/-/commit/${deployment['sha']}`,
            commit_title: 'Deploy',
          },
        };
      }
      case 'release': {
        const project = this.hookProject(what.project);
        return {
          event: 'Release Hook',
          payload: {
            id: 1,
            created_at: '2026-09-03 14:02:11 UTC',
            description: `Notes for ${what.tag}`,
            name: `Release ${what.tag}`,
            released_at: '2026-09-03 14:02:11 UTC',
            tag: what.tag,
            object_kind: 'release',
            project,
            url: `${project['web_url']}/-/releases/${what.tag}`,
            action: what.action ?? 'update',
            assets: { count: 0, links: [], sources: [] },
            commit: {
              id: zero,
              message: 'Release',
              title: 'Release',
              timestamp: '2026-09-03T14:02:11+00:00',
              url: '',
              author: { name: 'User 0', email: '[REDACTED]' },
            },
          },
        };
      }
      case 'tag_push':
      case 'push': {
        const project = this.hookProject(what.project);
        const ref = what.type === 'tag_push' ? `refs/tags/${what.ref}` : `refs/heads/${what.ref}`;
        return {
          event: what.type === 'tag_push' ? 'Tag Push Hook' : 'Push Hook',
          payload: {
            object_kind: what.type,
            event_name: what.type,
            before: what.deleted ? sha(`${ref}:before`) : zero,
            after: what.deleted ? zero : sha(`${ref}:after`),
            ref,
            ref_protected: false,
            checkout_sha: what.deleted ? null : sha(`${ref}:after`),
            user_id: 1200,
            user_name: 'User 0',
            user_username: 'user-0',
            user_email: '[REDACTED]',
            user_avatar: null,
            project_id: project['id'],
            project,
            commits: [],
            total_commits_count: 0,
            repository: { name: project['name'], url: project['git_ssh_url'], homepage: project['web_url'] },
          },
        };
      }
      case 'member': {
        const group = this.groups().find((g) => g['full_path'] === what.group)!;
        return {
          event: 'Member Hook',
          payload: {
            created_at: '2026-09-12T08:00:00Z',
            updated_at: '2026-09-12T08:00:00Z',
            group_name: group['name'],
            group_path: group['path'],
            group_id: group['id'],
            user_username: `user-${what.userId - 1200}`,
            user_name: `User ${what.userId - 1200}`,
            user_email: '[REDACTED]',
            user_id: what.userId,
            group_access: 'Developer',
            group_plan: 'premium',
            expires_at: null,
            event_name: what.eventName,
          },
        };
      }
      case 'project': {
        const project = this.hookProject(what.project);
        return {
          event: 'Project Hook',
          payload: {
            event_name: what.eventName,
            created_at: '2026-09-12T08:00:00Z',
            updated_at: '2026-09-12T08:00:00Z',
            name: project['name'],
            path: project['name'],
            path_with_namespace: project['path_with_namespace'],
            project_id: project['id'],
            project_namespace_id: 1,
            owners: [{ name: 'User 0', email: '[REDACTED]' }],
            project_visibility: 'private',
          },
        };
      }
      case 'subgroup': {
        const parentPath = what.fullPath.split('/').slice(0, -1).join('/');
        const parent = this.groups().find((g) => g['full_path'] === parentPath);
        const group = this.groups().find((g) => g['full_path'] === what.fullPath);
        return {
          event: 'Subgroup Hook',
          payload: {
            created_at: '2026-09-12T08:00:00Z',
            updated_at: '2026-09-12T08:00:00Z',
            event_name: what.eventName,
            name: group?.['name'] ?? what.fullPath.split('/').at(-1),
            path: what.fullPath.split('/').at(-1),
            full_path: what.fullPath,
            group_id: group?.['id'] ?? 999,
            parent_group_id: parent?.['id'],
            parent_name: parent?.['name'],
            parent_path: parent?.['path'],
            parent_full_path: parentPath,
          },
        };
      }
    }
  }

  hookUser(): Json {
    return { id: 1200, name: 'User 0', username: 'user-0', avatar_url: null, email: '[REDACTED]' };
  }

  // ---- OAuth -------------------------------------------------------------------------------

  private oauth(
    path: string,
    url: URL,
    request: RecordedRequest,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const oauthError = (status: number, error: string, description: string) =>
      send(status, { error, error_description: description });
    if (path === '/oauth/authorize' && request.method === 'GET') {
      const q = Object.fromEntries(url.searchParams);
      const app = this.apps.get(q['client_id'] ?? '');
      if (!app || q['response_type'] !== 'code' || !q['redirect_uri'])
        return oauthError(400, 'invalid_request', 'The request is missing a required parameter.');
      if (q['code_challenge'] && q['code_challenge_method'] !== 'S256')
        return oauthError(400, 'invalid_request', 'Unsupported code challenge method.');
      const code = randomBytes(32).toString('hex');
      this.grants.set(code, {
        code,
        clientId: app.clientId,
        redirectUri: q['redirect_uri'],
        challenge: q['code_challenge'] ?? null,
        scopes: (q['scope'] ?? 'read_api').split(/\s+/).filter(Boolean),
        username: 'user-0',
      });
      const back = new URL(q['redirect_uri']);
      back.searchParams.set('code', code);
      if (q['state'] !== undefined) back.searchParams.set('state', q['state']);
      response302(send, back.toString());
      return;
    }
    if (path === '/oauth/token' && request.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams(request.body));
      const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
      if (basic) {
        const [id, secret] = Buffer.from(basic, 'base64').toString().split(':');
        form['client_id'] ??= decodeURIComponent(id ?? '');
        form['client_secret'] ??= decodeURIComponent(secret ?? '');
      }
      this.tokenRequests.push(form);
      const app = this.apps.get(form['client_id'] ?? '');
      if (!app || app.clientSecret !== form['client_secret']) {
        return oauthError(
          401,
          'invalid_client',
          'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
        );
      }
      const invalidGrant = () =>
        oauthError(
          400,
          'invalid_grant',
          'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
        );
      if (form['grant_type'] === 'authorization_code') {
        const grant = this.grants.get(form['code'] ?? '');
        this.grants.delete(form['code'] ?? '');
        if (!grant || grant.clientId !== app.clientId || grant.redirectUri !== form['redirect_uri']) return invalidGrant();
        if (grant.challenge) {
          const verifier = form['code_verifier'] ?? '';
          if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return invalidGrant();
        }
        return send(200, this.issue(grant.username, grant.scopes));
      }
      if (form['grant_type'] === 'refresh_token') {
        const previous = this.refreshTokens.get(form['refresh_token'] ?? '');
        if (!previous) return invalidGrant();
        // GitLab rotates: the old access and refresh tokens stop working.
        this.refreshTokens.delete(form['refresh_token']!);
        this.revoked.add(previous.access);
        return send(200, this.issue(previous.username, previous.scopes));
      }
      return oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
      );
    }
    if (path === '/oauth/token/info' && request.method === 'GET') {
      const token = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
      const grant = this.revoked.has(token) ? undefined : this.tokens.get(token);
      if (!grant || grant.type !== 'oauth') return oauthError(401, 'invalid_token', 'The access token is invalid');
      return send(200, {
        resource_owner_id: 1200,
        scope: [...grant.scopes],
        expires_in: 7200,
        application: { uid: 'app' },
        created_at: Math.floor(Date.now() / 1000),
      });
    }
    send(404, { message: '404 Not Found' });
  }

  /** Tokens as GitLab's token endpoint issues them: two hours, a refresh token, the granted scopes. */
  private issue(username: string, scopes: readonly string[]): Json {
    const access = randomBytes(32).toString('hex');
    const refresh = randomBytes(32).toString('hex');
    this.tokens.set(access, { username, scopes, type: 'oauth' });
    this.refreshTokens.set(refresh, { username, scopes, access });
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 7200,
      refresh_token: refresh,
      scope: scopes.join(' '),
      created_at: Math.floor(Date.now() / 1000),
    };
  }

  /** Access tokens issued by the OAuth endpoint so far and still valid. */
  get oauthTokens(): string[] {
    return [...this.tokens.entries()]
      .filter(([token, grant]) => grant.type === 'oauth' && !this.revoked.has(token))
      .map(([token]) => token);
  }
}

function response204(
  send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  rate: Record<string, string>,
): void {
  send(204, '', rate);
}

function response302(send: (status: number, body: unknown, headers?: Record<string, string>) => void, location: string): void {
  send(302, '', { location, 'content-type': 'text/html; charset=utf-8' });
}

function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}
