/** Items by their trace id, in first-seen order, each list in arrival order: a store writes a trace's spans together. */
export function groupByTrace<T>(items: readonly T[], traceIdOf: (item: T) => string): Map<string, T[]> {
  const byTrace = new Map<string, T[]>();
  for (const item of items) {
    const id = traceIdOf(item);
    const list = byTrace.get(id);
    if (list) list.push(item);
    else byTrace.set(id, [item]);
  }
  return byTrace;
}
