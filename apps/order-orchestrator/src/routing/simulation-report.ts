import type { Figures, Simulation } from './simulation';

/** The comparison as Markdown: the figures per channel and delivery mode, used policy beside the proposed one, then the orders that change. */
export function simulationMarkdown(simulation: Simulation): string {
  const header = '| channel | delivery mode | policy | orders | shipments/order | split rate | avg km | total cost | fill rate | backordered units |';
  const rule = '|---|---|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = [...simulation.groups, { channel: 'all', deliveryMode: 'all', ...simulation.total }].flatMap(({ channel, deliveryMode, used, proposed }) => [
    row(channel, deliveryMode, 'used', used),
    row(channel, deliveryMode, 'proposed', proposed),
  ]);
  const skipped = Object.entries(simulation.skipped).map(([reason, count]) => `- skipped ${count}: ${reason}`);
  const differs = simulation.replayDiffers.length
    ? [`- ${simulation.replayDiffers.length} replayed differently under the version used than recorded (the routing rules changed since): ${simulation.replayDiffers.join(', ')}`]
    : [];
  const changed = simulation.changed.length
    ? ['| order | channel | delivery mode | used | proposed |', '|---|---|---|---|---|', ...simulation.changed.map((o) => `| ${o.orderId} | ${o.channel} | ${o.deliveryMode} | ${o.used} | ${o.proposed} |`)]
    : ['No decision changes.'];
  return [
    `## Routing simulation: ${simulation.replayed} order(s) replayed`,
    ...skipped,
    ...differs,
    '',
    header,
    rule,
    ...rows,
    '',
    `## Orders whose decision changes (${simulation.changed.length})`,
    '',
    ...changed,
    '',
  ].join('\n');
}

function row(channel: string, mode: string, side: string, f: Figures): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const km = f.averageDistanceKm === null ? '–' : f.averageDistanceKm.toFixed(1);
  return `| ${channel} | ${mode} | ${side} | ${f.orders} | ${f.shipmentsPerOrder.toFixed(2)} | ${percent(f.splitRate)} | ${km} | ${f.totalCost.toFixed(2)} | ${percent(f.fillRate)} | ${f.backorderedUnits} |`;
}
