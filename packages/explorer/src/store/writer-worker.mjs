// Worker threads do not inherit tsx's loader hooks on Node 20 (the explorer
// runs from TypeScript sources): register them, then load the writer.
import { register } from 'tsx/esm/api';

register();
await import('./writer-worker.ts');
