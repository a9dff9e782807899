// The dashboard's side of @iclood/client: the errors it throws (re-exported, so views import from
// one place) and the page-wide "your session ended" signal that sends the person to sign-in.
export {
  ApiError,
  CLIENT_ERROR,
  NETWORK_ERROR,
  UNEXPECTED_RESPONSE,
  isEnvelope,
  queryString,
  toApiError,
  unwrapEnvelope,
} from '@iclood/client';

const sessionEndedListeners = new Set<() => void>();

/**
 * Sends the person to sign-in: called by the client when a request other than sign-in answers
 * 401, and for a 401 met outside it (an upload's XMLHttpRequest).
 */
export function notifySessionEnded(): void {
  for (const listener of sessionEndedListeners) listener();
}

/** Called whenever the session is found ended; returns the unsubscribe. */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}
