/**
 * Orders two versions of an item as integrations give them (`LiveChange.version`, stored as text):
 * numbers (or numeric text) by value, times by instant, other text as text. Negative when `a` is
 * older. An unknown version is never older: without one, the later event wins.
 */
export function compareVersions(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined || b === undefined) return 0;
  const numbers = [Number(a), Number(b)];
  if (numbers.every((n) => Number.isFinite(n)) && String(a).trim() !== '' && String(b).trim() !== '') {
    return Math.sign(numbers[0]! - numbers[1]!);
  }
  const times = [Date.parse(String(a)), Date.parse(String(b))];
  if (times.every((t) => Number.isFinite(t))) return Math.sign(times[0]! - times[1]!);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
