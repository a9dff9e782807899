import { createElement } from '../create-element.js';
import type { View } from './view.js';

export function renderLoadingView(): View {
  const heading = createElement('h1', { tabindex: -1 }, ['Connecting to your iClood server…']);
  const element = createElement('section', { class: 'card narrow', role: 'status' }, [
    heading,
    createElement('div', { class: 'spinner', 'aria-hidden': 'true' }),
  ]);
  return { title: 'Connecting', element, heading };
}
