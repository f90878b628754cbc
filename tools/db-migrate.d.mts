export function deploy(connectionString: string, options?: { log?: (line: string) => void }): Promise<string[]>;
