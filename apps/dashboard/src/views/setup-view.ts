import { toApiError } from '../api-client.js';
import { createElement } from '../create-element.js';
import { describeApiError } from '../error-messages.js';
import { createOwnerAccount } from '../iclood-api.js';
import {
  clearButtonBusy,
  clearFormAlert,
  createFormAlert,
  createFormField,
  isButtonBusy,
  setButtonBusy,
  showFormAlert,
} from './form-controls.js';
import type { Screens, View } from './view.js';

// Mirrors `Username` and `NewPassword` in @iclood/api-types so the browser can say what is wrong
// before a round trip; the server stays the judge. (HTML patterns are anchored and use the v flag,
// hence the escaped dash.)
const USERNAME_PATTERN = '[A-Za-z0-9._\\-]+';
const MIN_PASSWORD_LENGTH = 8;

/** First run: create the owner account, which also signs the owner in. */
export function renderSetupView(screens: Screens): View {
  const username = createFormField({
    id: 'setup-username',
    label: 'Username',
    hint: 'Letters, digits, dot, dash and underscore; up to 64 characters.',
    autocomplete: 'username',
    maxLength: 64,
    pattern: USERNAME_PATTERN,
  });
  const displayName = createFormField({
    id: 'setup-display-name',
    label: 'Display name (optional)',
    autocomplete: 'name',
    required: false,
    maxLength: 100,
  });
  const password = createFormField({
    id: 'setup-password',
    label: 'Password',
    hint: `At least ${MIN_PASSWORD_LENGTH} characters.`,
    type: 'password',
    autocomplete: 'new-password',
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: 1024,
  });
  const confirmation = createFormField({
    id: 'setup-password-confirmation',
    label: 'Confirm password',
    type: 'password',
    autocomplete: 'new-password',
    maxLength: 1024,
  });
  const alert = createFormAlert();
  const submit = createElement('button', { type: 'submit', class: 'button primary' }, ['Create account']);
  const form = createElement('form', { class: 'stack', 'aria-labelledby': 'setup-heading' }, [
    username.field,
    displayName.field,
    password.field,
    confirmation.field,
    alert,
    submit,
  ]);

  // A custom validity message makes the browser block submit and name the field, like any other rule.
  const checkConfirmation = (): void => {
    const matches = confirmation.input.value === password.input.value;
    confirmation.input.setCustomValidity(matches ? '' : 'The two passwords are not the same.');
  };
  password.input.addEventListener('input', checkConfirmation);
  confirmation.input.addEventListener('input', checkConfirmation);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!isButtonBusy(submit)) void createOwner();
  });

  async function createOwner(): Promise<void> {
    clearFormAlert(alert);
    setButtonBusy(submit, 'Creating account…');
    const name = displayName.input.value.trim();
    try {
      const result = await createOwnerAccount({
        username: username.input.value.trim(),
        password: password.input.value,
        ...(name === '' ? {} : { displayName: name }),
      });
      screens.showSignedIn(result.user);
    } catch (error) {
      const failure = toApiError(error);
      if (failure.code === 'SETUP_ALREADY_DONE') {
        screens.showLogin('The owner account already exists. Sign in with it.');
        return;
      }
      clearButtonBusy(submit);
      showFormAlert(alert, describeApiError(failure));
    }
  }

  const heading = createElement('h1', { id: 'setup-heading', tabindex: -1 }, ['Create the owner account']);
  const element = createElement('section', { class: 'card narrow' }, [
    heading,
    createElement('p', { class: 'lead' }, [
      'Welcome to iClood. This first account owns the server: it can add household members and manage storage.',
    ]),
    form,
  ]);
  return { title: 'Set up', element, heading };
}
