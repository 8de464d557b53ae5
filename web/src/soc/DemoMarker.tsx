import { useI18n } from '../i18n/I18nProvider';
import { isDemoData } from './format';

/** Marks items of the demo fleet, so nobody mistakes them for a real environment's. */
export function DemoMarker({ ids }: { ids: readonly (string | undefined)[] }) {
  const { t } = useI18n();
  if (!isDemoData(ids)) return null;
  return (
    <span className="badge demo" data-testid="demo-marker" title={t('common.demoHint')}>
      {t('common.demo')}
    </span>
  );
}
