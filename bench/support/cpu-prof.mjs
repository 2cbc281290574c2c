// `--cpu-prof` is not allowed in NODE_OPTIONS on Node 20, `--import` is: this
// module starts V8's profiler through the inspector and writes a .cpuprofile
// into BENCH_CPU_PROF when the process exits (same-thread inspector sessions
// answer synchronously, so this works inside the 'exit' handler).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `${path.basename(path.dirname(path.dirname(process.argv[1] ?? 'x/x/node')))}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
