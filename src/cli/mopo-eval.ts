export async function main(_argv: string[]): Promise<number> {
  console.error('mopo-eval: evaluation is not available yet (issue 5).');
  return 1;
}
