import { CLIENT_ERROR, type ApiError } from '../api-client.js';
import { createElement } from '../create-element.js';
import type { Screens, View } from './view.js';

/** Shown when the first request fails: the server is down, unreachable, or not iClood. */
export function renderServerProblemView(screens: Screens, error: ApiError): View {
  const heading = createElement('h1', { tabindex: -1 }, [problemHeading(error)]);
  const retry = createElement('button', { type: 'button', class: 'button primary' }, ['Try again']);
  retry.addEventListener('click', () => screens.showStart());
  const element = createElement('section', { class: 'card narrow', role: 'alert' }, [
    heading,
    createElement('p', {}, [
      error.isUnreachable
        ? 'Check that the server is running and that this device is on the same network as it, then try again.'
        : 'Try again in a moment. If this keeps happening, the server log will say more.',
    ]),
    createElement('p', { class: 'hint' }, [
      error.message,
      ' ',
      createElement('code', {}, [error.status === 0 ? error.code : `${error.code} · HTTP ${error.status}`]),
    ]),
    retry,
  ]);
  return { title: 'Server unavailable', element, heading };
}

function problemHeading(error: ApiError): string {
  if (error.isUnreachable) return 'Cannot reach the iClood server';
  if (error.code === CLIENT_ERROR) return 'Something went wrong on this page';
  return 'The iClood server reported a problem';
}
