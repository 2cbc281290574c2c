/**
 * An earlier commit of this repository, checked out once under
 * .cache/bench/baseline-<sha>, so a bench can run the old explorer beside the
 * current one in the same run ("no worse than before" as a ratio measured
 * under the same machine load, not against figures from another day).
 * `git archive` rather than a worktree: nothing to clean up in .git, and the
 * checkout shares this repository's node_modules (dependencies are pinned).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, progress } from '../lib.ts';

export interface Baseline {
  /** What the user named (a ref), and the commit it resolved to. */
  ref: string;
  sha: string;
  /** Root of the checkout. */
  root: string;
  /** Its `tracewire` CLI. */
  bin: string;
}

const REPO = path.resolve(BENCH_DIR, '..');

/** The default baseline: bench/baseline.json, or none when `--baseline=none`. */
export function defaultBaselineRef(): string {
  return (JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'baseline.json'), 'utf8')) as { ref: string }).ref;
}

/** The checkout, or undefined (said on stderr) when the ref is unknown here, e.g. in a shallow clone. */
export function checkoutBaseline(ref: string): Baseline | undefined {
  let sha: string;
  try {
    sha = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    progress(`baseline: ${ref} is not a commit of this checkout (a shallow clone?): no before/after figures this run`);
    return undefined;
  }
  const root = path.join(REPO, '.cache', 'bench', `baseline-${sha.slice(0, 12)}`);
  const bin = path.join(root, 'packages', 'explorer', 'bin', 'tracewire.js');
  if (!fs.existsSync(path.join(root, '.complete'))) {
    progress(`baseline: checking out ${ref} (${sha.slice(0, 12)}) into ${path.relative(REPO, root)}`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: REPO, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
    fs.writeFileSync(path.join(root, '.complete'), `${sha}\n`);
  }
  return { ref, sha, root, bin };
}
