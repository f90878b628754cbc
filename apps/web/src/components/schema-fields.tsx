import { useState } from 'react';
import type { FieldErrors, FieldValues, Path, UseFormRegister } from 'react-hook-form';
import type { JsonSchemaProperty, SettingsSchema } from '../api/types';

/**
 * Form fields generated from an integration's JSON-Schema settings: one labelled input per
 * property, in schema order. Write-only properties (tokens) are masked, never prefilled, and say
 * whether a value is stored. Errors render beside their field and are announced.
 */
export function SchemaFields<T extends FieldValues>({
  schema,
  prefix,
  register,
  errors,
  stored,
  partial,
}: {
  schema: SettingsSchema;
  /** Where the values live in the form, e.g. `settings`. */
  prefix: string;
  register: UseFormRegister<T>;
  errors: FieldErrors<T>;
  /** For a reconnect: which secrets are stored (and their last four characters). */
  stored?: Readonly<Record<string, { set: boolean; last4: string | null }>>;
  /** Required fields may stay empty (keep what is stored). */
  partial?: boolean;
}) {
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const path = `${prefix}.${name}` as Path<T>;
        const error = errorAt(errors, prefix, name);
        const secret = stored?.[name];
        return (
          <SchemaField
            key={name}
            id={`${prefix}-${name}`}
            name={name}
            property={property}
            required={required.has(name) && !(partial && property.writeOnly)}
            error={error}
            hint={secret?.set ? `A value ending in ${secret.last4 ?? '…'} is stored; leave empty to keep it.` : undefined}
            registration={register(path, {
              validate: (value: unknown) =>
                required.has(name) && !partial && (typeof value !== 'string' || !value.trim()) ? 'is required' : true,
            })}
          />
        );
      })}
    </>
  );
}

function SchemaField({
  id,
  name,
  property,
  required,
  error,
  hint,
  registration,
}: {
  id: string;
  name: string;
  property: JsonSchemaProperty;
  required: boolean;
  error: string | undefined;
  hint: string | undefined;
  registration: ReturnType<UseFormRegister<FieldValues>>;
}) {
  const [revealed, setRevealed] = useState(false);
  const secret = property.writeOnly === true;
  const describedBy = [property.description ? `${id}-description` : '', hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const label = property.title ?? name;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {property.description ? (
        <span className="hint" id={`${id}-description`}>
          {property.description}
        </span>
      ) : null}
      {property.enum ? (
        <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy || undefined} {...registration}>
          <option value="">Choose…</option>
          {property.enum.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      ) : (
        <div className="row" style={{ flexWrap: 'nowrap' }}>
          <input
            id={id}
            style={{ flex: 1 }}
            type={secret && !revealed ? 'password' : property.format === 'uri' ? 'url' : 'text'}
            autoComplete={secret ? 'new-password' : 'off'}
            spellCheck={false}
            placeholder={property.format === 'uri' ? 'https://' : undefined}
            aria-required={required || undefined}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy || undefined}
            data-secret={secret || undefined}
            {...registration}
          />
          {secret ? (
            <button type="button" onClick={() => setRevealed(!revealed)} aria-pressed={revealed} aria-label={`Show ${label}`}>
              {revealed ? 'Hide' : 'Show'}
            </button>
          ) : null}
        </div>
      )}
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert" data-field={name}>
          {label} {error}
        </span>
      ) : null}
    </div>
  );
}

function errorAt<T extends FieldValues>(errors: FieldErrors<T>, prefix: string, name: string): string | undefined {
  const group = (errors as Record<string, Record<string, { message?: unknown }> | undefined>)[prefix];
  const message = group?.[name]?.message;
  return typeof message === 'string' ? message : undefined;
}
