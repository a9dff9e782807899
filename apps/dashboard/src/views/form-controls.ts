import { createElement } from '../create-element.js';

export interface FormFieldOptions {
  id: string;
  label: string;
  /** Shown under the input and announced with it. */
  hint?: string;
  type?: 'text' | 'password';
  autocomplete: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export interface FormField {
  field: HTMLElement;
  input: HTMLInputElement;
}

/** A labelled input with an optional hint, wired up for screen readers. */
export function createFormField(options: FormFieldOptions): FormField {
  const hintId = options.hint === undefined ? undefined : `${options.id}-hint`;
  const isPassword = options.type === 'password';
  const input = createElement('input', {
    id: options.id,
    name: options.id,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete,
    required: options.required ?? true,
    minlength: options.minLength,
    maxlength: options.maxLength,
    pattern: options.pattern,
    'aria-describedby': hintId,
    // iOS would otherwise capitalise and "correct" user names.
    autocapitalize: isPassword ? undefined : 'none',
    autocorrect: isPassword ? undefined : 'off',
    spellcheck: isPassword ? undefined : 'false',
  });
  const field = createElement('div', { class: 'field' }, [
    createElement('label', { for: options.id }, [options.label]),
    input,
    hintId && createElement('p', { id: hintId, class: 'hint' }, [options.hint]),
  ]);
  return { field, input };
}

/** An always-present live region, so assistive technology announces each new error. */
export function createFormAlert(): HTMLElement {
  return createElement('p', { class: 'form-alert', role: 'alert', 'aria-live': 'assertive' });
}

export function showFormAlert(alert: HTMLElement, message: string): void {
  alert.textContent = message;
}

export function clearFormAlert(alert: HTMLElement): void {
  alert.textContent = '';
}

// aria-disabled rather than `disabled`: a disabled button drops keyboard focus to <body>.
/** Marks a button as working while its request runs and says what is happening. */
export function setButtonBusy(button: HTMLButtonElement, busyLabel: string): void {
  button.dataset['idleLabel'] ??= button.textContent ?? '';
  button.textContent = busyLabel;
  button.setAttribute('aria-disabled', 'true');
}

export function clearButtonBusy(button: HTMLButtonElement): void {
  button.textContent = button.dataset['idleLabel'] ?? button.textContent;
  delete button.dataset['idleLabel'];
  button.removeAttribute('aria-disabled');
}

/** True while the button's request runs; handlers use it to ignore a second click or Enter. */
export function isButtonBusy(button: HTMLButtonElement): boolean {
  return button.getAttribute('aria-disabled') === 'true';
}
