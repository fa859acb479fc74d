import { test, expect } from '@playwright/test';
import { arrived, open, unique } from './helpers';

function descriptors(team: string, service: string): string {
  return `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: ${team}
spec:
  type: team
  profile: {displayName: Imported Team, email: imported@example.com}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${service}
  title: Imported Service
  description: Came from Backstage.
  annotations: {reliability.portal/tier: "1"}
  tags: [imported]
  links:
    - {url: "https://wiki.example.com/runbooks/${service}", title: Runbook, type: runbook}
spec:
  type: service
  lifecycle: production
  owner: group:default/${team}
  dependsOn: [component:ledger]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Not A Slug
spec: {lifecycle: production}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: imported-system}
`;
}

test('import Backstage descriptors: preview exactly what changes, apply, see the services', async ({ page }) => {
  const team = unique('imp');
  const service = unique('imported');
  await open(page, '/import');
  await page.locator('#import-files').setInputFiles({
    name: 'catalog-info.yaml',
    mimeType: 'text/yaml',
    buffer: Buffer.from(descriptors(team, service)),
  });
  await expect(page.getByText('1 file ready: catalog-info.yaml')).toBeVisible();
  await page.getByRole('button', { name: 'Preview import' }).click();

  const preview = page.locator('section', { has: page.getByRole('heading', { name: '2. Preview' }) });
  await expect(preview).toContainText('Teams: 1 to create · 0 to update · 0 unchanged');
  await expect(preview).toContainText('Services: 1 to create · 0 to update · 0 unchanged');
  // The bad document is reported with its file, document and field; the System is skipped.
  const errors = preview.getByRole('table', { name: 'Documents that will not be imported' });
  await expect(errors).toContainText('catalog-info.yaml, document 3');
  await expect(errors).toContainText('metadata.name');
  await expect(preview.getByRole('table', { name: 'Documents the portal does not import' })).toContainText('System');
  await page.getByRole('button', { name: 'Apply import' }).click();
  await expect(page.getByText('Imported: 2 created, 0 updated.')).toBeVisible();
  await page.getByRole('link', { name: 'Imported Service' }).click();
  await arrived(page, `/services/${service}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Imported Service');
  await expect(page.getByRole('link', { name: 'Imported Team' })).toBeVisible();
  await expect(page.locator('.links')).toContainText(`https://wiki.example.com/runbooks/${service}`);

  // The same file again changes nothing, and says so.
  await open(page, '/import');
  await page.locator('#import-paste').fill(descriptors(team, service));
  await page.getByRole('button', { name: 'Preview import' }).click();
  await expect(page.getByText('Services: 0 to create · 0 to update · 1 unchanged')).toBeVisible();
  await expect(page.getByText('Nothing to change')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Apply import' })).toBeDisabled();

  // The catalog lists it.
  await open(page, `/services?q=${service}`);
  await expect(page.getByRole('link', { name: 'Imported Service' })).toBeVisible();
});

const openslo = (slug: string) => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${slug}
  displayName: Imported status availability
spec:
  service: status-page
  indicator:
    metadata: {name: status-errors}
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{job="status",code=~"5.."}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{job="status"}'}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: ${slug}-latency}
spec:
  service: status-page
  indicator:
    spec:
      thresholdMetric: {metricSource: {type: Prometheus, spec: {query: x}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{op: lt, value: 300, target: 0.99}]
`;

test('import OpenSLO: preview, apply, open the SLO and its rules', async ({ page }) => {
  const slug = unique('imported-slo');
  await open(page, '/slos/import');
  await page.locator('#import-paste').fill(openslo(slug));
  await page.getByRole('button', { name: 'Preview import' }).click();
  const preview = page.locator('section', { has: page.getByRole('heading', { name: '2. Preview' }) });
  await expect(preview).toContainText('SLOs: 1 to create · 0 to update · 0 unchanged');
  const errors = preview.getByRole('table', { name: 'Documents that will not be imported' });
  await expect(errors).toContainText('pasted YAML, document 2');
  await expect(errors).toContainText('spec.indicator.spec.thresholdMetric');
  await page.getByRole('button', { name: 'Apply import' }).click();
  await expect(page.getByText('Imported: 1 created, 0 updated.')).toBeVisible();
  await page.getByRole('link', { name: 'Imported status availability' }).click();
  await arrived(page, `/services/status-page/slos/${slug}`);
  await expect(page.getByRole('heading', { name: 'Prometheus rules' })).toBeVisible();
  await expect(page.locator('pre[aria-labelledby="rules-h"]')).toContainText('slo:sli_error:ratio_rate5m');

  // Again: nothing to change.
  await open(page, '/slos/import');
  await page.locator('#import-paste').fill(openslo(slug));
  await page.getByRole('button', { name: 'Preview import' }).click();
  await expect(page.getByText('SLOs: 0 to create · 0 to update · 1 unchanged')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Apply import' })).toBeDisabled();
});
