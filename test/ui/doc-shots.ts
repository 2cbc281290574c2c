/**
 * Screenshots the UI tests take for docs/explorer-ui.md: always into
 * test-results/, and into docs/img/ only with TRACEWIRE_DOC_SHOTS=1, so a
 * test run never changes tracked files.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';

export async function docShot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync('test-results', { recursive: true });
  await target.screenshot({ path: `test-results/${name}` });
  if (process.env.TRACEWIRE_DOC_SHOTS === '1') {
    mkdirSync('docs/img', { recursive: true });
    copyFileSync(`test-results/${name}`, `docs/img/${name}`);
  }
}
