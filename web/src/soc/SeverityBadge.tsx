import type { Severity } from '../api/soc';
import { useI18n } from '../i18n/I18nProvider';
import { SEVERITY_COLOURS } from './format';

export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  const colours = SEVERITY_COLOURS[severity];
  return (
    <span
      className="badge"
      data-severity={severity}
      style={{ background: colours.background, color: colours.text }}
    >
      {t(`severity.${severity}`)}
    </span>
  );
}
