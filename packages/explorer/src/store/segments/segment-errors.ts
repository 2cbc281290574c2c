/** A block or segment file whose bytes do not follow the layout: damaged on disk, or not ours. */
export class MalformedBlockError extends Error {
  override name = 'MalformedBlockError';
}
