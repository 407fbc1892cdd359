import { setTimeout as sleep } from 'node:timers/promises';
import { buildArtifactBundle, debugIdFiles } from '../artifactBundles/sysbBundles.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { WorkerProcess, harnessWorkerEnv } from '../support/workerProcess.js';
import { ApiHarness } from './apiHarness.js';

const completedCount = (metrics: string, job: string) =>
  Number(new RegExp(`bullmq_jobs_processed_total\\{queue="assemble-artifacts",job="${job}",outcome="completed"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);

function expectStages(metrics: string, job: string): void {
  for (const stage of ['join_chunks', 'open_bundle', 'store']) {
    expect(metrics).toMatch(new RegExp(`assemble_stage_duration_seconds_count\\{job="${job}",stage="${stage}"\\} [1-9]`));
  }
}

// Job outcomes and durations reach Prometheus from wherever the job ran: the HTTP front's /metrics when the worker
// shares its process (`assembler all`), and METRICS_PORT when it runs alone (`assembler worker`).
describe('job metrics', () => {
  it('shows the jobs of in-process workers on the HTTP front', async () => {
    const api = await ApiHarness.create();
    try {
      const before = completedCount((await api.inject({ method: 'GET', url: '/metrics' })).body, 'release-bundle');
      await api.assembly.createRelease('1.0.0');
      const result = await api.assembly.assemble(await buildBundle({ release: '1.0.0', files: generatedFiles(2) }));
      expect(result.state).toBe('ok');
      const metrics = (await api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(completedCount(metrics, 'release-bundle')).toBe(before + 1);
      expect(metrics).toMatch(/bullmq_job_duration_seconds_count\{queue="assemble-artifacts",job="release-bundle",outcome="completed"\} [1-9]/);
      expect(metrics).toMatch(/assembled_files_total\{job="release-bundle",mode="single"\} [1-9]/);
      expect(metrics).toMatch(/assembled_bytes_total\{job="release-bundle",mode="single"\} [1-9]/);
      expectStages(metrics, 'release-bundle');

      const { checksum, chunks } = await api.assembly.upload(await buildArtifactBundle({ files: debugIdFiles(2, 'metrics') }));
      const body = { checksum, chunks, projects: ['web'] };
      for (let polls = 0; ; polls += 1) {
        const answer = (await api.inject({ method: 'POST', url: '/api/0/organizations/acme/artifactbundle/assemble/', payload: body })).json();
        if (answer.state === 'ok') break;
        if (polls > 400) throw new Error(`artifact bundle still ${answer.state}`);
        await sleep(50);
      }
      expectStages((await api.inject({ method: 'GET', url: '/metrics' })).body, 'artifact-bundle');
    } finally {
      await api.close();
    }
  });

  it('serves a worker-only process its own /metrics on METRICS_PORT', async () => {
    const h = await AssembleHarness.create({ worker: false });
    const worker = WorkerProcess.start(harnessWorkerEnv(h, { METRICS_PORT: '0' }));
    try {
      await worker.waitForLog(/"metricsPort":\d+/);
      const port = Number(/"metricsPort":(\d+)/.exec(worker.logs())?.[1]);
      await h.createRelease('2.0.0');
      expect((await h.assemble(await buildBundle({ release: '2.0.0', files: generatedFiles(2) }), '2.0.0')).state).toBe('ok');
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const metrics = await res.text();
      expect(completedCount(metrics, 'release-bundle')).toBe(1);
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await worker.stop();
      await h.close();
    }
  });
});
