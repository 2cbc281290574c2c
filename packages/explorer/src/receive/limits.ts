/** Per-span limits the receiver enforces before storing (configurable; generous defaults). */
export interface SpanLimits {
  /** Attributes kept per span, resource, event or link; the rest are dropped and counted. */
  maxAttributes: number;
  /** String and bytes values longer than this are truncated. */
  maxValueLength: number;
  maxEvents: number;
  maxLinks: number;
  /** Nesting depth of array / kvlist values. */
  maxValueDepth: number;
}

export const DEFAULT_LIMITS: SpanLimits = {
  maxAttributes: 1000,
  maxValueLength: 64 * 1024,
  maxEvents: 1000,
  maxLinks: 1000,
  maxValueDepth: 8,
};
