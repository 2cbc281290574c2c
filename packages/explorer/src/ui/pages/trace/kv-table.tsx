import type { ApiAttribute } from '../../../api-types.ts';
import { valueText } from '../../lib/format.ts';

/**
 * Key/value rows. Values are untrusted user data: they go into the DOM only
 * as text children (Preact escapes them), never as HTML.
 */
export function KvTable({ items, empty = 'None' }: { items: ApiAttribute[]; empty?: string }) {
  if (items.length === 0) return <div class="tw-muted tw-kv-empty">{empty}</div>;
  const sorted = [...items].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <table class="tw-kv">
      <tbody>
        {sorted.map((kv) => {
          const text = valueText(kv.value);
          const long = text.length > 160 || text.includes('\n');
          return (
            <tr data-key={kv.key}>
              <th title={kv.type}>{kv.key}</th>
              <td class={`tw-kv-value type-${kv.type.toLowerCase()}`}>
                {long ? <pre>{text}</pre> : text}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
