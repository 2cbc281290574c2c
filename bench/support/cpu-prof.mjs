// `--cpu-prof` is not allowed in NODE_OPTIONS on Node 20, `--import` is: this
// module starts V8's profiler through the inspector and writes a .cpuprofile
// into BENCH_CPU_PROF when the process exits (same-thread inspector sessions
// answer synchronously, so this works inside the 'exit' handler).
// BENCH_CPU_PROF_START=signal: the profiler starts on SIGUSR2 instead, so a
// profile can leave out start-up and warm-up (bench/support/profile-diff.ts).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  if (process.env.BENCH_CPU_PROF_START === 'signal') process.once('SIGUSR2', () => session.post('Profiler.start'));
  else session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `${path.basename(path.dirname(path.dirname(process.argv[1] ?? 'x/x/node')))}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
