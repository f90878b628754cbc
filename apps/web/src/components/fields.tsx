import type { InputHTMLAttributes, ReactNode } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
import type { Role } from '../api/types';
import { ROLE_HELP, ROLES } from './role-select';

/**
 * A labelled input with its hint and its error beside it, wired for screen readers
 * (`aria-describedby`, `aria-invalid`, the error announced).
 */
export function TextField({
  id,
  label,
  hint,
  error,
  registration,
  ...input
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error: string | undefined;
  registration: UseFormRegisterReturn;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field" style={{ flex: 2, minWidth: 220 }}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
        {...registration}
      />
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {label} {error}
        </span>
      ) : null}
    </div>
  );
}

/** The role picker, saying what the chosen role may do. */
export function RoleField({ id, role, registration }: { id: string; role: Role; registration: UseFormRegisterReturn }) {
  return (
    <div className="field" style={{ flex: 1, minWidth: 160 }}>
      <label htmlFor={id}>Role</label>
      <select id={id} aria-describedby={`${id}-help`} {...registration}>
        {ROLES.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <span className="hint" id={`${id}-help`}>
        {ROLE_HELP[role]}
      </span>
    </div>
  );
}

/** A submit button aligned with the inputs of a one-row form. */
export function InlineSubmit({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <div className="field">
      <span className="label" aria-hidden="true">
        &nbsp;
      </span>
      <button type="submit" className="primary" disabled={busy}>
        {children}
      </button>
    </div>
  );
}
