export async function main(_argv: string[]): Promise<number> {
  console.error('mopo: the command line is being built (issue 2).');
  return 1;
}
