import { byId, h } from './dom';

const TOAST_MS = 8_000;
const MOST_SHOWN = 4;

/** A short-lived notice in the corner (new comments elsewhere); the oldest goes when too many pile up. */
export const toast = (...content: (Node | string)[]) => {
  const container = byId('toasts');
  const item = h('div', { class: 'toast', role: 'status', 'data-testid': 'toast' }, ...content);
  const dismiss = () => item.remove();
  item.append(h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: dismiss }, '×'));
  container.append(item);
  while (container.children.length > MOST_SHOWN) container.firstElementChild?.remove();
  setTimeout(dismiss, TOAST_MS);
};
