export interface LocalPostgres {
  adminUrl: string;
  migrationUrl: string;
  databaseUrl: string;
  secrets: Record<string, string>;
  stop(): Promise<void>;
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
export function startLocalRedis(options: InfraOptions): Promise<LocalRedis>;
