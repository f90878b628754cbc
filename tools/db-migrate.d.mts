export function deploy(
  connectionString: string,
  options?: { prismaDir?: string; log?: (line: string) => void },
): Promise<string[]>;
export function generateMigration(options: {
  name: string;
  connectionString: string;
  prismaDir?: string;
  now?: Date;
}): Promise<string | null>;
