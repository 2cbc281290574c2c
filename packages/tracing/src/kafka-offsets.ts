/**
 * Where each record of one produce request landed, from the broker's answer.
 * A produce response names one base offset per topic-partition; the records a
 * request sent to one partition are written in request order at consecutive
 * offsets from that base (one record batch per partition:
 * https://kafka.apache.org/documentation/#recordbatch). So a record's offset
 * is known exactly when its partition is: given explicitly, or the only
 * partition the answer names for its topic. Anything less certain is left
 * unknown rather than guessed.
 */

export interface KafkaRecordPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** What the positions are read from: the messages as sent and the client's answer. */
export interface PositionedMessage {
  topic: string;
  partition?: number;
}
export interface ProduceAnswer {
  offsets?: ReadonlyArray<{ topic: string; partition: number; offset: bigint | number }>;
}

/**
 * The position of each of `messages` (same order), or undefined where the
 * answer does not pin it down: no answer, a partition it does not name, a
 * topic whose messages the client spread over partitions we cannot tell
 * apart, or a partition answered twice.
 *
 * @example
 * const result = await producer.send({ messages });
 * kafkaRecordPositions(messages, result); // [{ topic, partition: 2, offset: 41 }, …]
 */
export function kafkaRecordPositions(
  messages: readonly PositionedMessage[],
  answer: ProduceAnswer | undefined,
): Array<KafkaRecordPosition | undefined> {
  const bases = new Map<string, number>();
  const partitionsOf = new Map<string, number[]>();
  const ambiguous = new Set<string>();
  for (const { topic, partition, offset } of answer?.offsets ?? []) {
    const key = `${topic}:${partition}`;
    if (bases.has(key)) ambiguous.add(key);
    bases.set(key, Number(offset));
    const answered = partitionsOf.get(topic);
    if (answered) answered.push(partition);
    else partitionsOf.set(topic, [partition]);
  }
  const partitionOf = (m: PositionedMessage): number | undefined => {
    if (typeof m.partition === 'number') return m.partition;
    const answered = partitionsOf.get(m.topic);
    return answered?.length === 1 ? answered[0] : undefined;
  };
  // A record's index within its partition is only known if every record of its topic has a known partition.
  const unknownTopics = new Set<string>();
  for (const m of messages) {
    const p = partitionOf(m);
    if (p === undefined || !bases.has(`${m.topic}:${p}`)) unknownTopics.add(m.topic);
  }
  const next = new Map<string, number>();
  return messages.map((m) => {
    const partition = partitionOf(m);
    if (partition === undefined || unknownTopics.has(m.topic)) return undefined;
    const key = `${m.topic}:${partition}`;
    const base = bases.get(key);
    const index = next.get(key) ?? 0;
    next.set(key, index + 1);
    if (base === undefined || base < 0 || ambiguous.has(key)) return undefined;
    return { topic: m.topic, partition, offset: base + index };
  });
}
