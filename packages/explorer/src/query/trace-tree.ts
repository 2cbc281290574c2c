/**
 * Moved: the trace view lives in trace-view.ts and the trace model in
 * src/trace. Kept so server.ts (being split into a route table on another
 * branch) compiles unchanged; delete once it imports trace-view.ts.
 */
export { apiAttributes, sortSpans, traceView } from './trace-view.ts';
