/** Options every verb takes; `-C`/`--chdir` takes a value. */
const FLAGS = new Set(["-v", "--verbose", "-q", "--quiet", "--no-color"]);
const WITH_VALUE = new Set(["-C", "--chdir"]);

/**
 * Moves the global options to the front of `argv` wherever they are written (`homeops kubeconform
 * --verbose` = `homeops --verbose kubeconform`), so that commander, which reads the program's options
 * before the verb only, sees them. Nothing after `--` moves.
 */
export function hoistGlobalOptions(argv: readonly string[]): string[] {
  const global: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (FLAGS.has(arg) || arg.startsWith("--chdir=") || (arg.startsWith("-C") && arg.length > 2))
      global.push(arg);
    else if (WITH_VALUE.has(arg) && i + 1 < argv.length) global.push(arg, argv[++i]!);
    else rest.push(arg);
  }
  return [...global, ...rest];
}
