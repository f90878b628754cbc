export interface LocalPostgres {
  adminUrl: string;
  migrationUrl: string;
  databaseUrl: string;
  secrets: Record<string, string>;
  stop(): Promise<void>;
  /** An immediate stop (`pg_ctl stop -m immediate`), as a crash: the next start runs crash recovery. */
  crash(): Promise<void>;
}
export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}
interface InfraOptions {
  stateDir: string;
  port: number;
  durable: boolean;
  log: (line: string) => void;
}
export function startLocalPostgres(options: InfraOptions): Promise<LocalPostgres>;
/** With `password`, the server requires it and `url` carries it. */
export function startLocalRedis(options: InfraOptions & { password?: string }): Promise<LocalRedis>;
