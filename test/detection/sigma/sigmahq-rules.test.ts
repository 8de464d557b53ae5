// The real SigmaHQ rules in test/fixtures/sigma (DRL-1.1, see test/fixtures/README.md), loaded
// unmodified and run on events shaped like GCP Cloud Audit Logs and Azure Activity Logs.
import { readFileSync } from 'node:fs';
import { compileSigma } from '../../../server/detection/sigma/compile.js';
import { parseSigmaRule } from '../../../server/detection/sigma/parse-rule.js';
import { SigmaRuleSet } from '../../../server/detection/sigma/rule-set.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/sigma/${name}`, import.meta.url), 'utf8');

const ROLEBINDING = fixture('gcp_kubernetes_rolebinding.yml');
const SECRETS = fixture('gcp_kubernetes_secrets_modified_or_deleted.yml');
const CRONJOB = fixture('azure_kubernetes_cronjob.yml');

// A GKE Data Access / Admin Activity audit entry as Cloud Logging exports it (LogEntry + AuditLog).
function gcpAudit(methodName: string, resourceName: string): Record<string, unknown> {
  return {
    insertId: '7d2d5b1f-3e0a-4f4e-9a40-1c1f7b6a9e21',
    logName: 'projects/gov-prod/logs/cloudaudit.googleapis.com%2Factivity',
    resource: { type: 'k8s_cluster', labels: { cluster_name: 'prod-1', location: 'asia-east2' } },
    timestamp: '2026-11-23T04:58:12.345678Z',
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: 'ops@gov-prod.iam.gserviceaccount.com' },
      methodName,
      resourceName,
      serviceName: 'k8s.io',
    },
  };
}

// An Azure Activity Log record (Microsoft.Insights diagnostic export) for an AKS operation.
function azureActivity(operationName: string): Record<string, unknown> {
  return {
    time: '2026-11-23T04:58:12.3456789Z',
    resourceId:
      '/SUBSCRIPTIONS/0A1B2C3D-0000-4000-8000-000000000000/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-PROD',
    operationName,
    category: 'Administrative',
    resultType: 'Success',
    callerIpAddress: '10.20.30.40',
    identity: { claims: { name: 'ops@gov.example' } },
  };
}

// The GCP rules use the Elastic/ECS field `gcp.audit.method_name`; raw exports carry `protoPayload.methodName`.
const gcpMapping = { fieldMapping: { 'gcp.audit.method_name': 'protoPayload.methodName' } };

describe('SigmaHQ rules', () => {
  test('metadata and MITRE ATT&CK tags are kept', () => {
    const rule = parseSigmaRule(CRONJOB);
    expect(rule).toMatchObject({
      title: 'Azure Kubernetes CronJob',
      id: '1c71e254-6655-42c1-b2d6-5e4718d7fc0a',
      status: 'test',
      level: 'medium',
      logsource: { product: 'azure', service: 'activitylogs' },
      attack: { techniques: ['T1053.003'], tactics: ['persistence', 'privilege-escalation', 'execution'] },
    });
    expect(rule.falsepositives).toHaveLength(2);
    expect(parseSigmaRule(SECRETS).attack).toEqual({ techniques: [], tactics: ['credential-access'] });
  });

  test('GCP RoleBinding: rbac create/patch/update/delete match, reads and other resources do not', () => {
    const { match } = compileSigma(ROLEBINDING, gcpMapping);
    expect(
      match(
        gcpAudit('io.k8s.authorization.rbac.v1.clusterrolebindings.create', 'rbac/clusterrolebindings/x'),
      ),
    ).toBe(true);
    expect(match(gcpAudit('io.k8s.authorization.rbac.v1.rolebindings.delete', 'rbac/rolebindings/y'))).toBe(
      true,
    );
    expect(match(gcpAudit('io.k8s.authorization.rbac.v1.rolebindings.get', 'rbac/rolebindings/y'))).toBe(
      false,
    );
    expect(match(gcpAudit('io.k8s.core.v1.pods.create', 'core/v1/namespaces/default/pods/p'))).toBe(false);
  });

  test('GCP Secrets: an ECS-flattened event matches without a mapping', () => {
    const { match } = compileSigma(SECRETS);
    expect(match({ 'gcp.audit.method_name': 'io.k8s.core.v1.secrets.patch' })).toBe(true);
    expect(match({ gcp: { audit: { method_name: 'io.k8s.core.v1.secrets.delete' } } })).toBe(true);
    expect(match({ 'gcp.audit.method_name': 'io.k8s.core.v1.secrets.get' })).toBe(false);
    expect(match(gcpAudit('io.k8s.core.v1.secrets.patch', 'x'))).toBe(false);
  });

  test('Azure CronJob: both startswith and endswith must hold', () => {
    const { match } = compileSigma(CRONJOB);
    expect(match(azureActivity('Microsoft.ContainerService/managedClusters/batch/cronjobs/write'))).toBe(
      true,
    );
    expect(match(azureActivity('MICROSOFT.KUBERNETES/CONNECTEDCLUSTERS/BATCH/JOBS/WRITE'))).toBe(true);
    expect(match(azureActivity('Microsoft.ContainerService/managedClusters/batch/cronjobs/delete'))).toBe(
      false,
    );
    expect(match(azureActivity('Microsoft.ContainerService/managedClusters/apps/deployments/write'))).toBe(
      false,
    );
  });

  test('a rule set only tests rules whose logsource the event has', () => {
    const set = new SigmaRuleSet(gcpMapping);
    set.add(ROLEBINDING);
    set.add(SECRETS);
    set.add(CRONJOB, { fieldMapping: {} });
    const gcp = { product: 'gcp', service: 'gcp.audit' };
    const secretPatch = gcpAudit('io.k8s.core.v1.secrets.patch', 'core/v1/namespaces/default/secrets/db');
    expect(set.match(secretPatch, gcp)).toEqual(['2f0bae2d-bf20-4465-be86-1311addebaa3']);
    expect(set.match(secretPatch, { product: 'azure', service: 'activitylogs' })).toEqual([]);
    const cron = azureActivity('MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/BATCH/CRONJOBS/WRITE');
    expect(set.match(cron, { product: 'Azure', service: 'ActivityLogs' })).toEqual([
      '1c71e254-6655-42c1-b2d6-5e4718d7fc0a',
    ]);
    expect(set.match(cron, { product: 'azure' })).toEqual([]);
  });
});
