import type { FormEvent } from 'react';
import type { AlertFilter, IncidentFilter } from '../api/soc';
import { fromShanghaiInput, toShanghaiInput } from '../format/time';
import { useI18n } from '../i18n/I18nProvider';
import type { FieldSpec, FilterProblem } from './filters';

type FieldName = keyof AlertFilter | keyof IncidentFilter;

interface Props {
  spec: Partial<Record<FieldName, FieldSpec>>;
  values: Partial<Record<FieldName, string>>;
  problems: FilterProblem[];
  optionLabel: (field: FieldName, value: string) => string;
  onApply: (values: Partial<Record<FieldName, string>>) => void;
}

/**
 * The filter form of a list. It edits a draft and applies it on submit, so typing does not fire a
 * request per key; it is keyed on the applied values so back/forward resets the inputs.
 */
export function FilterBar({ spec, values, problems, optionLabel, onApply }: Props) {
  const { t } = useI18n();
  const fields = Object.entries(spec) as [FieldName, FieldSpec][];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Partial<Record<FieldName, string>> = {};
    for (const [name, fieldSpec] of fields) {
      const value = String(form.get(name) ?? '').trim();
      next[name] = fieldSpec === 'time' ? fromShanghaiInput(value) : value;
    }
    onApply(next);
  };
  return (
    <>
      <form className="filters" key={JSON.stringify(values)} onSubmit={submit}>
        {fields.map(([name, fieldSpec]) => (
          <label key={name}>
            {t(`field.${name}`)}
            {fieldSpec === 'text' && <input name={name} defaultValue={values[name] ?? ''} />}
            {fieldSpec === 'time' && (
              <input
                name={name}
                type="datetime-local"
                defaultValue={values[name] ? toShanghaiInput(values[name]) : ''}
              />
            )}
            {typeof fieldSpec !== 'string' && (
              <select name={name} defaultValue={values[name] ?? ''}>
                <option value="">{t('common.any')}</option>
                {fieldSpec.map((value) => (
                  <option key={value} value={value}>
                    {optionLabel(name, value)}
                  </option>
                ))}
              </select>
            )}
          </label>
        ))}
        <button type="submit">{t('common.apply')}</button>
        <button type="button" onClick={() => onApply({})}>
          {t('common.reset')}
        </button>
      </form>
      {problems.length > 0 && (
        <p role="alert" className="error" data-testid="filter-problems">
          {t('filter.invalid')}:{' '}
          {problems
            .map((p) => `${t(`field.${p.field as FieldName}`)} “${p.value}” ${t(`filter.${p.reason}`)}`)
            .join('; ')}
        </p>
      )}
    </>
  );
}
