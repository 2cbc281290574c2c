#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (the repo has no build step for TS).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
