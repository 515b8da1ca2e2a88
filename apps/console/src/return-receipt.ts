import { field, h } from './dom';

/** A return as the returns service answers it (docs/contract.md, "HTTP"). */
export interface Return {
  id: string;
  orderId: string;
  status: 'REQUESTED' | 'RECEIVED' | 'REFUNDED' | 'REJECTED';
  lines: { sku: string; quantity: number; reason?: string }[];
  expectedLocationId?: string;
  createdAt: string;
}

export interface ReceiptContext {
  receive: (ret: Return, lines: { sku: string; quantity: number; condition: string }[]) => Promise<void>;
  /** Shows the console's own refusal (nothing was sent). */
  refuse: (why: string) => void;
}

/** The conditions the returns service accepts (docs/contract.md, "Returns and refunds"). */
const CONDITIONS = [
  ['RESELLABLE', 'Resellable: back to stock here'],
  ['DAMAGED', 'Damaged: refunded, written off'],
  ['NOT_RETURNED', 'Not returned: not refunded'],
] as const;

/** Line by line: the quantity that came back (0 to the requested one) and its condition, chosen, never defaulted. */
export function receiptForm(ret: Return, { receive, refuse }: ReceiptContext): HTMLElement {
  const rows = ret.lines.map((line, index) => {
    const quantity = h('input', { name: `quantity-${index}`, type: 'number', min: 0, max: line.quantity, value: line.quantity, inputmode: 'numeric' });
    const condition = h('select', { name: `condition-${index}` }, h('option', { value: '' }, '(choose)'), ...CONDITIONS.map(([code, text]) => h('option', { value: code }, text)));
    const legend = `Line ${index + 1}: ${line.sku} × ${line.quantity}${line.reason ? ` (${line.reason})` : ''}`;
    return { line, quantity, condition, group: h('fieldset', {}, h('legend', {}, legend), field('Quantity received', quantity), field('Condition', condition)) };
  });
  const submit = (event: Event) => {
    event.preventDefault();
    const lines = [];
    for (const { line, quantity, condition } of rows) {
      const received = Number(quantity.value);
      if (!Number.isInteger(received) || received < 0 || received > line.quantity) return refuse(`Return ${ret.id}, ${line.sku}: the quantity received must be 0 to ${line.quantity}.`);
      if (!condition.value) return refuse(`Return ${ret.id}, ${line.sku}: choose its condition.`);
      lines.push({ sku: line.sku, quantity: received, condition: condition.value });
    }
    void receive(ret, lines);
  };
  return h(
    'form',
    { class: 'card', 'aria-label': `Return ${ret.id}`, onsubmit: submit },
    h('h3', {}, `Return ${ret.id}`),
    h('p', {}, `Order ${ret.orderId} · requested ${new Date(ret.createdAt).toLocaleString()}`),
    ...rows.map((row) => row.group),
    h('button', { type: 'submit', class: 'primary' }, `Receive return ${ret.id}`),
  );
}
