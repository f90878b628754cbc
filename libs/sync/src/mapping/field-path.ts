/** `.url` for plain names, `["a.b"]` for the rest, so a path reads like the JSON it points into. */
export function keyPath(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
