import type { PingData, SystemStatus, UserSummary } from '@iclood/api-types';
import { toApiError, type ApiError } from '../api-client.js';
import { createElement } from '../create-element.js';
import { describeApiError } from '../error-messages.js';
import { formatDuration } from '../format-duration.js';
import { getSystemStatus, logOut, pingServer } from '../iclood-api.js';
import {
  clearButtonBusy,
  clearFormAlert,
  createFormAlert,
  isButtonBusy,
  setButtonBusy,
  showFormAlert,
} from './form-controls.js';
import type { Screens, View } from './view.js';

const SESSION_ENDED_NOTICE = 'Your session has ended. Sign in again.';

/** Who is signed in, the server's health, and the way out. */
export function renderSignedInView(screens: Screens, user: UserSummary): View {
  const heading = createElement('h1', { id: 'account-heading', tabindex: -1 }, [
    'Signed in as ',
    user.displayName ?? user.username,
    ' ',
    createElement('span', { class: 'role' }, [`(${user.role})`]),
  ]);
  const signOut = createElement('button', { type: 'button', class: 'button secondary' }, ['Sign out']);
  const signOutAlert = createFormAlert();
  signOut.addEventListener('click', () => {
    if (!isButtonBusy(signOut)) void endSession();
  });

  async function endSession(): Promise<void> {
    clearFormAlert(signOutAlert);
    setButtonBusy(signOut, 'Signing out…');
    try {
      await logOut();
      screens.showLogin('You have signed out.');
    } catch (error) {
      const failure = toApiError(error);
      // An expired or revoked session is already signed out.
      if (failure.status === 401) {
        screens.showLogin('You have signed out.');
        return;
      }
      clearButtonBusy(signOut);
      showFormAlert(signOutAlert, describeApiError(failure));
    }
  }

  const statusBody = createElement('div', { class: 'status-body', 'aria-live': 'polite' });
  const refresh = createElement('button', { type: 'button', class: 'button secondary small' }, ['Refresh']);
  const statusSection = createElement('section', { class: 'card', 'aria-labelledby': 'status-heading' }, [
    createElement('div', { class: 'card-header' }, [
      createElement('h2', { id: 'status-heading' }, ['Server status']),
      refresh,
    ]),
    statusBody,
    createElement('p', {}, [
      createElement('a', { href: '/docs', class: 'text-link' }, ['API documentation']),
    ]),
  ]);
  refresh.addEventListener('click', () => {
    if (!isButtonBusy(refresh)) void loadServerStatus();
  });

  async function loadServerStatus(): Promise<void> {
    setButtonBusy(refresh, 'Refreshing…');
    statusSection.setAttribute('aria-busy', 'true');
    if (statusBody.childElementCount === 0) statusBody.textContent = 'Loading server status…';
    // Ping needs no auth, so everyone sees the server id even when the full status is owner-only.
    const [status, ping] = await Promise.allSettled([getSystemStatus(), pingServer()]);
    statusSection.removeAttribute('aria-busy');
    clearButtonBusy(refresh);
    if (status.status === 'rejected' && toApiError(status.reason).status === 401) {
      screens.showLogin(SESSION_ENDED_NOTICE);
      return;
    }
    statusBody.replaceChildren(
      renderServerStatus(
        status.status === 'fulfilled' ? status.value : toApiError(status.reason),
        ping.status === 'fulfilled' ? ping.value : undefined,
      ),
    );
  }

  const element = createElement('div', { class: 'stack wide' }, [
    createElement('section', { class: 'card', 'aria-labelledby': 'account-heading' }, [
      createElement('div', { class: 'card-header' }, [heading, signOut]),
      signOutAlert,
    ]),
    statusSection,
  ]);
  void loadServerStatus();
  return { title: 'Dashboard', element, heading };
}

function renderServerStatus(status: SystemStatus | ApiError, ping: PingData | undefined): HTMLElement {
  if (!('uptimeSeconds' in status)) {
    const explanation =
      status.code === 'FORBIDDEN' || status.code === 'SCOPE_REQUIRED'
        ? 'Only the owner can see the full server status.'
        : `Could not load the server status. ${describeApiError(status)}`;
    return createElement('div', {}, [
      createElement('p', { class: 'notice' }, [explanation]),
      ping &&
        statusList([
          ['Version', ping.version],
          ['Server ID', code(ping.serverId)],
        ]),
    ]);
  }
  const { database } = status;
  const startedAt = new Date(status.startedAt);
  return statusList([
    ['Version', `${status.name} ${status.version}`],
    [
      'Uptime',
      createElement('span', { title: `Started ${startedAt.toLocaleString()}` }, [
        formatDuration(status.uptimeSeconds),
      ]),
    ],
    [
      'Database',
      createElement('span', {}, [
        database.kind === 'postgres' ? 'PostgreSQL' : 'Embedded (PGlite)',
        ' · ',
        createElement('span', { class: database.healthy ? 'health ok' : 'health failing' }, [
          database.healthy ? `healthy (${formatLatency(database.latencyMs)})` : 'not responding',
        ]),
      ]),
    ],
    ['Data directory', code(status.dataDir)],
    ['Library directory', code(status.libraryDir)],
    ['Server ID', code(ping?.serverId ?? status.serverId)],
    ['Node.js', status.nodeVersion],
  ]);
}

function formatLatency(milliseconds: number): string {
  return milliseconds < 1 ? 'under 1 ms' : `${Math.round(milliseconds)} ms`;
}

function statusList(rows: ReadonlyArray<readonly [string, string | HTMLElement]>): HTMLElement {
  return createElement(
    'dl',
    { class: 'status-list' },
    rows.flatMap(([term, description]) => [
      createElement('dt', {}, [term]),
      createElement('dd', {}, [description]),
    ]),
  );
}

function code(text: string): HTMLElement {
  return createElement('code', {}, [text]);
}
