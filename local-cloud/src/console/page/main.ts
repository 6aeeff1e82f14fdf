/**
 * The operator's console page: one Server-Sent Events stream from the local
 * cloud (a snapshot, then deltas about every second), rendered into the
 * page's tables in place (rows kept by key, so focus and selection survive an
 * update) and into uPlot charts.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './console.css';
import { applyDelta, METRIC_WINDOW_SECONDS } from '../delta';
import type { ConsoleDelta, ConsoleState, DeadLetterQueueRow, RedriveAnswer } from '../model';

const $ = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T => {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector} on the page`);
  return found;
};

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
};

const setText = (element: Element, text: string) => {
  if (element.textContent !== text) element.textContent = text;
};

const clock = (iso: string) => iso.slice(11, 23);
const number = (value: number | undefined) => (value === undefined ? '–' : value.toLocaleString('en'));

type Cell = string | number | Node;

/**
 * Rows of a table body kept by key: a row is created once, its cells' text
 * updated in place, removed when its key goes; `cells` may return nodes (a
 * button), which replace the cell's content only when their text changed.
 */
const renderRows = <T>(
  body: HTMLTableSectionElement,
  rows: T[],
  key: (row: T) => string,
  cells: (row: T) => Cell[],
  decorate?: (tr: HTMLTableRowElement, row: T) => void,
) => {
  const existing = new Map<string, HTMLTableRowElement>();
  for (const tr of Array.from(body.rows)) existing.set(tr.dataset.key ?? '', tr);
  let previous: HTMLTableRowElement | undefined;
  for (const row of rows) {
    const id = key(row);
    let tr = existing.get(id);
    existing.delete(id);
    const values = cells(row);
    if (!tr) {
      tr = el('tr', { 'data-key': id });
      for (let index = 0; index < values.length; index++)
        tr.append(el(index === 0 ? 'th' : 'td', index === 0 ? { scope: 'row' } : {}));
    }
    values.forEach((value, index) => {
      const cell = tr?.cells[index];
      if (!cell) return;
      if (value instanceof Node) {
        if (cell.textContent !== value.textContent || cell.childNodes.length === 0)
          cell.replaceChildren(value);
      } else setText(cell, typeof value === 'number' ? number(value) : value);
    });
    decorate?.(tr, row);
    const expectedNext: ChildNode | null = previous ? previous.nextSibling : body.firstChild;
    if (expectedNext !== tr) body.insertBefore(tr, expectedNext);
    previous = tr;
  }
  for (const tr of existing.values()) tr.remove();
};

// ---- charts -------------------------------------------------------------

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

interface Chart {
  plot: uPlot;
  labels: string[];
}

const charts = new Map<string, Chart>();

/** Creates (or recreates, when its series changed) and updates one chart. */
const drawChart = (
  container: HTMLElement,
  id: string,
  labels: string[],
  data: uPlot.AlignedData,
  height = 150,
) => {
  let chart = charts.get(id);
  if (chart && chart.labels.join('\n') !== labels.join('\n')) {
    chart.plot.destroy();
    charts.delete(id);
    chart = undefined;
  }
  if (!chart) {
    const plot = new uPlot(
      {
        width: Math.max(240, container.clientWidth || 320),
        height,
        legend: { show: true, live: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          {
            stroke: '#64748b',
            grid: { stroke: '#e2e8f0' },
            values: (_plot: uPlot, splits: number[]) =>
              splits.map((second) => new Date(second * 1000).toISOString().slice(11, 19)),
          },
          { stroke: '#64748b', grid: { stroke: '#e2e8f0' }, size: 50 },
        ],
        series: [
          {},
          ...labels.map((label, index) => ({
            label,
            stroke: COLORS[index % COLORS.length] as string,
            width: 1.5,
            points: { show: false },
          })),
        ],
      },
      data,
      container,
    );
    chart = { plot, labels };
    charts.set(id, chart);
    new ResizeObserver(() => {
      const width = Math.max(240, container.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height });
    }).observe(container);
  } else chart.plot.setData(data);
};

/** The last five minutes, second by second. */
const windowSeconds = (nowSecond: number) =>
  Array.from({ length: METRIC_WINDOW_SECONDS }, (_, index) => nowSecond - METRIC_WINDOW_SECONDS + 1 + index);

/** Figures the page samples itself from each update (invocation rates, frames): `[second, value]` per series. */
const sampled = new Map<string, Map<number, number>>();
const sample = (series: string, second: number, value: number) => {
  const kept = sampled.get(series) ?? new Map<number, number>();
  kept.set(second, value);
  for (const old of kept.keys()) if (old <= second - METRIC_WINDOW_SECONDS) kept.delete(old);
  sampled.set(series, kept);
};

const summedUnit = (unit: string) => unit === 'Count' || unit === 'None' || unit.endsWith('/Second');

// ---- panels -------------------------------------------------------------

let state: ConsoleState | undefined;
let previousInvocations: { at: number; byService: Map<string, number> } | undefined;

const renderFunctions = (current: ConsoleState) => {
  const rows = Object.values(current.functions).sort((a, b) => a.key.localeCompare(b.key));
  renderRows(
    $<HTMLTableSectionElement>('[data-testid="functions"] tbody'),
    rows,
    (row) => row.key,
    (row) => [
      row.key,
      row.invocations,
      row.errors,
      row.throttles,
      row.coldStarts,
      row.concurrency,
      row.p50Ms === undefined ? '–' : String(row.p50Ms),
      row.p99Ms === undefined ? '–' : String(row.p99Ms),
    ],
    (tr, row) => tr.classList.toggle('failing', row.errors > 0),
  );
  const select = $<HTMLSelectElement>('[data-testid="log-function"]');
  if (select.options.length === 1) {
    for (const row of rows) select.append(el('option', { value: row.key }, row.key));
    const wanted = new URLSearchParams(location.search).get('function');
    if (wanted) select.value = wanted;
  }
};

/** Invocations per second per service, from the counters' change between two updates. */
const sampleInvocations = (current: ConsoleState) => {
  const byService = new Map<string, number>();
  for (const row of Object.values(current.functions))
    byService.set(row.service, (byService.get(row.service) ?? 0) + row.invocations);
  const second = Math.floor(current.at / 1000);
  if (previousInvocations) {
    const elapsed = (current.at - previousInvocations.at) / 1000;
    for (const [service, total] of byService) {
      const before = previousInvocations.byService.get(service) ?? 0;
      if (elapsed > 0) sample(`invocations:${service}`, second, Math.max(0, total - before) / elapsed);
    }
  }
  previousInvocations = { at: current.at, byService };
  const services = [...byService.keys()].sort();
  const xs = windowSeconds(second);
  drawChart(
    $('#invocations-chart'),
    'invocations',
    services.map((service) => `${service} /s`),
    [xs, ...services.map((service) => xs.map((x) => sampled.get(`invocations:${service}`)?.get(x) ?? null))],
  );
};

const renderQueues = (current: ConsoleState) => {
  renderRows(
    $<HTMLTableSectionElement>('[data-testid="queues"] tbody'),
    Object.values(current.queues).sort((a, b) => a.name.localeCompare(b.name)),
    (row) => row.name,
    (row) => [
      row.deadLetterFor
        ? el(
            'span',
            {},
            `${row.name} `,
            el('abbr', { class: 'tag', title: `dead letters of ${row.deadLetterFor.join('; ')}` }, 'DLQ'),
          )
        : row.name,
      row.visible,
      row.inFlight,
      row.delayed,
      row.oldestAgeSeconds,
    ],
    (tr, row) => tr.classList.toggle('failing', Boolean(row.deadLetterFor) && row.visible > 0),
  );
};

const followButton = (correlationId: string | undefined) =>
  correlationId
    ? el(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-follow': correlationId,
          'aria-label': `Follow ${correlationId}`,
        },
        correlationId,
      )
    : '';

const redrive = async (queue: string, button: HTMLButtonElement) => {
  const result = $('[data-testid="redrive-result"]');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  setText(result, `Redriving ${queue}…`);
  try {
    const response = await fetch('/_local/console/redrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queue }),
    });
    const body = (await response.json()) as RedriveAnswer & { error?: { message: string } };
    setText(
      result,
      response.ok
        ? `${queue}: ${body.moved} moved back to ${body.destination.split('/').at(-1)}, ${body.failed} left.`
        : `${queue}: ${body.error?.message ?? response.statusText}`,
    );
  } catch (error) {
    setText(result, `${queue}: ${String(error)}`);
  } finally {
    button.removeAttribute('aria-busy');
    button.disabled = (state?.deadLetters[queue]?.waiting ?? 0) === 0;
  }
};

const deadLetterBlock = (queue: DeadLetterQueueRow) => {
  const id = `dlq-${queue.name}`;
  const block = el(
    'article',
    { class: 'dlq', 'data-queue': queue.name, 'aria-labelledby': id },
    el('h3', { id }, queue.name),
    el('p', { class: 'sources' }),
    el(
      'button',
      { type: 'button', class: 'redrive', 'data-testid': 'redrive', 'aria-describedby': id },
      'Redrive',
    ),
    // Focusable, as a scrolling region must be (WCAG 2.1.1).
    el(
      'section',
      { class: 'scroll', tabindex: '0', 'aria-label': `Dead letters in ${queue.name}` },
      el(
        'table',
        { 'data-testid': 'dead-letter-messages' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['Message', 'Event type', 'Event id', 'Correlation id', 'Error', 'Receives', 'Sent'].map(
              (title) => el('th', { scope: 'col' }, title),
            ),
          ),
        ),
        el('tbody'),
      ),
    ),
  );
  const button = $<HTMLButtonElement>('button.redrive', block);
  button.addEventListener('click', () => void redrive(queue.name, button));
  return block;
};

const renderDeadLetters = (current: ConsoleState) => {
  const container = $('[data-testid="dead-letters"]');
  const queues = Object.values(current.deadLetters).sort((a, b) => a.name.localeCompare(b.name));
  for (const queue of queues) {
    let block = container.querySelector<HTMLElement>(`article[data-queue="${CSS.escape(queue.name)}"]`);
    if (!block) {
      block = deadLetterBlock(queue);
      container.append(block);
    }
    block.dataset.waiting = String(queue.waiting);
    block.classList.toggle('failing', queue.waiting > 0);
    setText($('.sources', block), `${number(queue.waiting)} waiting · from ${queue.sources.join('; ')}`);
    const button = $<HTMLButtonElement>('button.redrive', block);
    const label = `Redrive ${queue.waiting} from ${queue.name}`;
    if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
    if (!button.hasAttribute('aria-busy')) button.disabled = queue.waiting === 0;
    const table = $<HTMLTableElement>('table', block);
    table.hidden = queue.letters.length === 0;
    renderRows(
      $<HTMLTableSectionElement>('tbody', block),
      queue.letters,
      (letter) => letter.messageId,
      (letter) => [
        letter.messageId,
        letter.eventType ?? '',
        letter.eventId ?? '',
        followButton(letter.correlationId),
        letter.errorCode ? `${letter.errorCode}: ${letter.errorMessage ?? ''}` : '',
        letter.receiveCount,
        letter.sentAt ? clock(letter.sentAt) : '',
      ],
    );
  }
};

const renderBus = (current: ConsoleState) => {
  renderRows(
    $<HTMLTableSectionElement>('[data-testid="rules"] tbody'),
    Object.values(current.rules).sort((a, b) => a.name.localeCompare(b.name)),
    (row) => row.name,
    (row) => [
      row.name,
      row.busName,
      row.targets.join(', '),
      row.matched,
      row.invocations,
      row.failed,
      row.sentToDlq,
    ],
    (tr, row) => tr.classList.toggle('failing', row.failed > 0),
  );
  renderRows(
    $<HTMLTableSectionElement>('[data-testid="events"] tbody'),
    current.events,
    (event) => event.id,
    (event) => [
      clock(event.receivedAt),
      event.detailType,
      event.source,
      event.targets.map((target) => `${target.target} (${target.outcome})`).join('\n') || 'no rule matched',
      followButton(event.correlationId),
      detailsOf(event.detail),
    ],
  );
};

const detailsOf = (detail: unknown) => {
  const text = JSON.stringify(detail, null, 2);
  return el(
    'details',
    {},
    el('summary', {}, text.length > 60 ? `${text.replace(/\s+/g, ' ').slice(0, 57)}…` : text),
    el('pre', {}, text),
  );
};

const renderRealtime = (current: ConsoleState) => {
  const { realtime } = current;
  setText($('[data-testid="open-connections"]'), number(realtime.openConnections));
  setText($('[data-testid="frames-sent"]'), number(realtime.framesSent));
  setText($('[data-testid="frames-per-second"]'), number(realtime.framesPerSecond));
  setText($('[data-testid="messages-received"]'), number(realtime.messagesReceived));
  renderRows(
    $<HTMLTableSectionElement>('[data-testid="topics"] tbody'),
    realtime.topics,
    (row) => row.topic,
    (row) => [row.topic, row.subscribers],
  );
  const second = Math.floor(current.at / 1000);
  sample('frames', second, realtime.framesPerSecond);
  sample('connections', second, realtime.openConnections);
  const xs = windowSeconds(second);
  drawChart(
    $('#realtime-chart'),
    'realtime',
    ['frames /s', 'open connections'],
    [
      xs,
      xs.map((x) => sampled.get('frames')?.get(x) ?? null),
      xs.map((x) => sampled.get('connections')?.get(x) ?? null),
    ],
  );
};

/** A chart to draw: a title and its series, each a label and the EMF series key it shows. */
interface MetricChart {
  id: string;
  service: string;
  title: string;
  series: { label: string; key: string; name: string }[];
}

/**
 * The metrics the functions emit, laid out as the stacks' CloudWatch
 * dashboards lay them out (one panel per service, each widget's title and
 * metrics together); metrics on no dashboard (Powertools' ColdStart, say)
 * follow, one chart per metric with a line per other dimensions.
 */
const metricCharts = (current: ConsoleState): MetricChart[] => {
  const charts: MetricChart[] = current.dashboards.map((chart, index) => ({
    id: `dashboard/${chart.service}/${index}`,
    service: chart.service,
    title: chart.title,
    series: chart.metrics.map((metric) => ({ label: metric.label, key: metric.key, name: metric.name })),
  }));
  const shown = new Set(charts.flatMap((chart) => chart.series.map((one) => one.key)));
  const others = new Map<string, MetricChart>();
  for (const series of Object.values(current.metrics).sort((a, b) => a.key.localeCompare(b.key))) {
    if (shown.has(series.key)) continue;
    const service = series.dimensions.service ?? series.namespace;
    const id = `emf/${service}/${series.namespace}/${series.name}`;
    const chart = others.get(id) ?? {
      id,
      service,
      title: `${series.name} (${series.unit === 'None' ? 'value' : series.unit}; on no dashboard)`,
      series: [],
    };
    const dimensions = Object.entries(series.dimensions).filter(
      ([name]) => name !== 'service' && name !== 'stage',
    );
    chart.series.push({
      label:
        dimensions.length > 0 ? dimensions.map(([name, value]) => `${name}=${value}`).join(' ') : series.name,
      key: series.key,
      name: series.name,
    });
    others.set(id, chart);
  }
  return [...charts, ...others.values()];
};

const renderMetrics = (current: ConsoleState) => {
  const container = $('[data-testid="metric-charts"]');
  const charts = metricCharts(current);
  if (charts.length === 0 && !container.firstChild)
    container.append(el('p', { class: 'empty' }, 'No metrics yet: they appear as the functions emit them.'));
  else if (charts.length > 0) container.querySelector('p.empty')?.remove();
  const xs = windowSeconds(Math.floor(current.at / 1000));
  for (const chart of charts) {
    let panel = container.querySelector<HTMLElement>(`section[data-service="${CSS.escape(chart.service)}"]`);
    if (!panel) {
      panel = el(
        'section',
        { 'data-service': chart.service, class: 'service', 'aria-label': `${chart.service} metrics` },
        el('h3', {}, chart.service),
        el('div', { class: 'grid' }),
      );
      container.append(panel);
    }
    let figure = panel.querySelector<HTMLElement>(`figure[data-chart="${CSS.escape(chart.id)}"]`);
    if (!figure) {
      figure = el(
        'figure',
        {
          'data-chart': chart.id,
          'data-testid': 'metric-chart',
          'data-metrics': chart.series.map((one) => one.name).join(' '),
        },
        el('figcaption', {}, chart.title),
        el('div', {
          class: 'chart',
          role: 'img',
          'aria-label': `${chart.title}, over the last five minutes`,
        }),
      );
      $('.grid', panel).append(figure);
    }
    let total = 0;
    const data = chart.series.map((one) => {
      const series = current.metrics[one.key];
      const points = new Map(series?.points ?? []);
      for (const [, value] of series?.points ?? []) total += value;
      // Seconds without a value: no count (0), or no figure at all for other units.
      const fill = !series || summedUnit(series.unit) ? 0 : null;
      return xs.map((x) => points.get(x) ?? fill);
    });
    figure.dataset.total = String(total);
    drawChart(
      $('.chart', figure),
      chart.id,
      chart.series.map((one) => one.label),
      [xs, ...data],
      120,
    );
  }
};

const renderLogs = (current: ConsoleState) => {
  const path = $('[data-testid="path"]');
  if (current.path.length > 0) {
    const items = current.path.map((step) =>
      el(
        'li',
        { 'data-kind': step.kind, 'data-name': step.name, ...(step.failed ? { class: 'failing' } : {}) },
        el('span', { class: 'when' }, clock(step.at)),
        el('span', { class: 'kind' }, step.kind),
        el('strong', {}, step.name),
        el('span', { class: 'detail' }, step.detail),
      ),
    );
    const html = items.map((item) => item.outerHTML).join('');
    if (path.dataset.rendered !== html) {
      path.replaceChildren(...items);
      path.dataset.rendered = html;
    }
  }
  renderRows(
    $<HTMLTableSectionElement>('[data-testid="logs"] tbody'),
    [...current.logs].reverse(),
    (line) => String(line.seq),
    (line) => [clock(line.time), line.function, line.level ?? '', line.message, line.correlationId ?? ''],
    (tr, line) => tr.classList.toggle('failing', line.level === 'ERROR' || line.level === 'CRITICAL'),
  );
};

const render = (current: ConsoleState, delta?: ConsoleDelta) => {
  setText(
    $('[data-testid="console-updated"]'),
    `updated ${new Date(current.at).toLocaleTimeString('en-GB')}`,
  );
  const changed = (...keys: string[]) =>
    !delta || keys.some((key) => key in (delta.set ?? {}) || key in (delta.removed ?? {}) || key in delta);
  if (changed('functions')) renderFunctions(current);
  sampleInvocations(current);
  if (changed('queues')) renderQueues(current);
  if (changed('deadLetters')) renderDeadLetters(current);
  if (changed('rules', 'events')) renderBus(current);
  renderRealtime(current);
  if (changed('metrics') || !delta) renderMetrics(current);
  if (changed('logs', 'path')) renderLogs(current);
};

// ---- the stream ---------------------------------------------------------

let source: EventSource | undefined;

const connect = () => {
  source?.close();
  const status = $('[data-testid="console-status"]');
  const params = new URLSearchParams(location.search);
  source = new EventSource(`/_local/console/stream${params.size > 0 ? `?${params}` : ''}`);
  source.addEventListener('snapshot', (message) => {
    state = JSON.parse((message as MessageEvent<string>).data) as ConsoleState;
    status.dataset.state = 'open';
    setText(status, 'live');
    render(state);
  });
  source.addEventListener('delta', (message) => {
    if (!state) return;
    const delta = JSON.parse((message as MessageEvent<string>).data) as ConsoleDelta;
    state = applyDelta(state, delta);
    render(state, delta);
  });
  source.addEventListener('error', () => {
    status.dataset.state = 'connecting';
    setText(status, 'reconnecting…');
  });
};

/** Follows a request (or a function): the stream is opened again with the filter, kept in the address. */
const follow = (filter: { correlationId?: string; function?: string }) => {
  const params = new URLSearchParams();
  if (filter.function) params.set('function', filter.function);
  if (filter.correlationId) params.set('correlationId', filter.correlationId);
  history.replaceState(
    null,
    '',
    `${location.pathname}${params.size > 0 ? `?${params}` : ''}${location.hash}`,
  );
  $('[data-testid="logs"] tbody').replaceChildren();
  const path = $('[data-testid="path"]');
  delete path.dataset.rendered;
  path.replaceChildren(
    el(
      'li',
      { class: 'empty' },
      filter.correlationId ? `Waiting for ${filter.correlationId}…` : 'No correlation id picked.',
    ),
  );
  connect();
};

const form = $<HTMLFormElement>('[data-testid="log-filter"]');
const correlationInput = $<HTMLInputElement>('[data-testid="log-correlation"]');
correlationInput.value = new URLSearchParams(location.search).get('correlationId') ?? '';
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  follow({
    correlationId: String(data.get('correlationId') ?? '').trim(),
    function: String(data.get('function') ?? ''),
  });
});
$('[data-testid="log-clear"]').addEventListener('click', () => {
  form.reset();
  follow({});
});
document.addEventListener('click', (event) => {
  const target = (event.target as Element).closest<HTMLElement>('[data-follow]');
  if (!target?.dataset.follow) return;
  correlationInput.value = target.dataset.follow;
  follow({
    correlationId: target.dataset.follow,
    function: $<HTMLSelectElement>('[data-testid="log-function"]').value,
  });
  $('#logs').scrollIntoView();
});

connect();
