/** `tracewire` CLI entry: explorer | trace | traces. Bad arguments exit 2 with a message. */
import { UsageError } from './args.ts';
import { EXPLORER_USAGE, explorerCommand } from './explorer-cmd.ts';
import { TRACE_USAGE, traceCommand } from './trace-cmd.ts';
import { TRACES_USAGE, tracesCommand } from './traces-cmd.ts';

const USAGE = `usage:\n  ${EXPLORER_USAGE.replace(/\n/g, '\n  ')}\n\n  ${TRACE_USAGE.replace(/\n/g, '\n  ')}\n\n  ${TRACES_USAGE.replace(/\n/g, '\n  ')}\n`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'explorer': {
      const code = await explorerCommand(rest);
      // Everything is closed by now, so the process ends by itself. Should
      // something still hold the event loop, say what and end anyway: a
      // stopped explorer must never linger (the timer itself holds nothing).
      setTimeout(() => {
        process.stderr.write(`tracewire explorer: still held open by ${process.getActiveResourcesInfo().join(', ')}; exiting\n`);
        process.exit(code);
      }, 5000).unref();
      return code;
    }
    case 'trace':
      return traceCommand(rest);
    case 'traces':
      return tracesCommand(rest);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    if (err instanceof UsageError) {
      process.stderr.write(`tracewire: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`tracewire: ${err.message}\n`);
      process.exitCode = 1;
    }
  },
);
