/** The subset of Python's strftime that run-directory patterns use (`${now:%Y-%m-%d}`). */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function strftime(date: Date, format: string): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const startOfYear = new Date(date.getFullYear(), 0, 1);
  const dayOfYear = Math.floor((date.getTime() - startOfYear.getTime()) / 86_400_000) + 1;
  const fields: Record<string, () => string> = {
    Y: () => String(date.getFullYear()),
    y: () => pad(date.getFullYear() % 100),
    m: () => pad(date.getMonth() + 1),
    d: () => pad(date.getDate()),
    H: () => pad(date.getHours()),
    I: () => pad(((date.getHours() + 11) % 12) + 1),
    p: () => (date.getHours() < 12 ? 'AM' : 'PM'),
    M: () => pad(date.getMinutes()),
    S: () => pad(date.getSeconds()),
    f: () => pad(date.getMilliseconds() * 1000, 6),
    j: () => pad(dayOfYear, 3),
    a: () => DAYS[date.getDay()]!,
    b: () => MONTHS[date.getMonth()]!,
    s: () => String(Math.floor(date.getTime() / 1000)),
    '%': () => '%',
  };
  return format.replace(/%(.)/g, (match, code: string) => (fields[code] ? fields[code]() : match));
}
