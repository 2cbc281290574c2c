import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaRecordPositions } from './kafka-offsets.ts';

describe('kafkaRecordPositions', () => {
  it('numbers the records of each explicit partition from its base offset, in request order', () => {
    const messages = [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
      { topic: 't', partition: 0 },
      { topic: 'u', partition: 1 },
      { topic: 't', partition: 2 },
    ];
    const answer = {
      offsets: [
        { topic: 't', partition: 0, offset: 10n },
        { topic: 't', partition: 2, offset: 7n },
        { topic: 'u', partition: 1, offset: 0 },
      ],
    };
    assert.deepEqual(kafkaRecordPositions(messages, answer), [
      { topic: 't', partition: 0, offset: 10 },
      { topic: 't', partition: 2, offset: 7 },
      { topic: 't', partition: 0, offset: 11 },
      { topic: 'u', partition: 1, offset: 0 },
      { topic: 't', partition: 2, offset: 8 },
    ]);
  });

  it('places records without a partition when the answer names one partition for their topic', () => {
    const positions = kafkaRecordPositions([{ topic: 't' }, { topic: 't' }], { offsets: [{ topic: 't', partition: 3, offset: 5 }] });
    assert.deepEqual(positions, [
      { topic: 't', partition: 3, offset: 5 },
      { topic: 't', partition: 3, offset: 6 },
    ]);
  });

  it('leaves a topic unknown when the client spread its unpartitioned records over several partitions', () => {
    const positions = kafkaRecordPositions(
      [{ topic: 't' }, { topic: 't', partition: 1 }, { topic: 'u' }],
      {
        offsets: [
          { topic: 't', partition: 0, offset: 1 },
          { topic: 't', partition: 1, offset: 1 },
          { topic: 'u', partition: 0, offset: 4 },
        ],
      },
    );
    assert.deepEqual(positions, [undefined, undefined, { topic: 'u', partition: 0, offset: 4 }]);
  });

  it('knows nothing without an answer, with a partition the answer does not name, or with a partition answered twice', () => {
    assert.deepEqual(kafkaRecordPositions([{ topic: 't', partition: 0 }], undefined), [undefined]);
    assert.deepEqual(kafkaRecordPositions([{ topic: 't', partition: 4 }], { offsets: [{ topic: 't', partition: 1, offset: 0 }] }), [undefined]);
    const twice = { offsets: [{ topic: 't', partition: 0, offset: 0 }, { topic: 't', partition: 0, offset: 9 }] };
    assert.deepEqual(kafkaRecordPositions([{ topic: 't', partition: 0 }], twice), [undefined]);
    assert.deepEqual(kafkaRecordPositions([{ topic: 't', partition: 0 }], { offsets: [{ topic: 't', partition: 0, offset: -1 }] }), [undefined]);
  });

  it('stays linear on a large request', () => {
    const messages = Array.from({ length: 200_000 }, (_, i) => ({ topic: 't', partition: i % 8 }));
    const offsets = Array.from({ length: 8 }, (_, p) => ({ topic: 't', partition: p, offset: 0 }));
    const positions = kafkaRecordPositions(messages, { offsets });
    assert.deepEqual(positions.at(-1), { topic: 't', partition: 7, offset: 24_999 });
  });
});
