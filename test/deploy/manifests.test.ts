// The deploy manifests parse, and they agree with each other, with the shops file they mount and with
// README's Deploy section: one image, one schedule, the state where README says, every credential the
// shops file names provided as a secret, and arguments the CLI accepts.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { parseConfig } from '../../src/cli/config.ts';
import { parseShopsFile } from '../../src/cli/shops.ts';

const root = join(import.meta.dirname, '../..');
const deploy = join(root, 'scripts/deploy');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const deploySection = readme.slice(readme.indexOf('\n## Deploy'));
const IMAGE = 'europe-west1-docker.pkg.dev/my-project/etl/shopify-bulk-etl:0.1.0';
const SCHEDULE = '15 2 * * *';
const SHOPS_FILE = '/etc/shopify-bulk-etl/shops.yaml';

type Obj = Record<string, unknown>;
interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
interface Container { name: string; image: string; args: string[]; env: EnvVar[]; volumeMounts: Array<{ name: string; mountPath: string }> }
interface PodSpec { containers: Container[]; serviceAccountName: string; volumes: Array<Obj & { name: string }>; terminationGracePeriodSeconds?: number; restartPolicy?: string; securityContext?: Obj }

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

function documents(file: string): Obj[] {
  const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'));
  for (const d of docs) expect(d.errors.map((e) => e.message), file).to.deep.equal([]);
  return docs.map((d) => d.toJS() as Obj);
}

function get<T>(value: unknown, path: string): T {
  let v = value;
  for (const key of path.split('.')) v = (v as Obj | undefined)?.[key];
  expect(v, path).to.not.equal(undefined);
  return v as T;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

const cloudRun = documents(join(deploy, 'cloud-run-job.yaml'))[0]!;
const cronDocs = documents(join(deploy, 'k8s/cronjob.yaml'));
const cronJob = cronDocs.find((d) => d.kind === 'CronJob')!;
const indexed = documents(join(deploy, 'k8s/indexed-job.yaml'))[0]!;
const pods: Array<[string, PodSpec]> = [
  ['cloud-run-job.yaml', get<PodSpec>(cloudRun, 'spec.template.spec.template.spec')],
  ['k8s/cronjob.yaml', get<PodSpec>(cronJob, 'spec.jobTemplate.spec.template.spec')],
  ['k8s/indexed-job.yaml', get<PodSpec>(indexed, 'spec.jobTemplate.spec.template.spec')],
];
const shops = parseShopsFile(join(deploy, 'shops.example.yaml'));
const cloudRunScript = readFileSync(join(deploy, 'cloud-run.sh'), 'utf8');

describe('deploy manifests', () => {
  it('every YAML file under scripts/deploy parses', () => {
    const files = yamlFiles(deploy);
    expect(files.length).to.be.greaterThanOrEqual(4);
    for (const f of files) expect(documents(f).length, f).to.be.greaterThan(0);
    expect(cloudRun).to.include({ apiVersion: 'run.googleapis.com/v1', kind: 'Job' });
    expect(cronJob.apiVersion).to.equal('batch/v1');
    expect(indexed.kind).to.equal('CronJob');
  });

  it('name one image, one schedule and the same output, as README does', () => {
    expect(readme).to.contain(IMAGE);
    expect(cloudRunScript).to.contain(`IMAGE=${IMAGE}`);
    for (const [file, pod] of pods) {
      expect(pod.containers, file).to.have.length(1);
      expect(pod.containers[0]!.image, file).to.equal(IMAGE);
      expect(flag(pod.containers[0]!.args, '--dest'), file).to.equal('gs://my-etl-bucket/shopify');
      expect(deploySection, file).to.contain(`scripts/deploy/${file}`);
    }
    expect(deploySection).to.contain('gs://my-etl-bucket/shopify');
    for (const cron of [cronJob, indexed]) {
      expect(cron.spec).to.include({ schedule: SCHEDULE, timeZone: 'Etc/UTC' });
    }
    expect(/--schedule "([^"]+)" --time-zone "([^"]+)"/.exec(cloudRunScript)?.slice(1)).to.deep.equal([SCHEDULE, 'Etc/UTC']);
    expect(deploySection).to.contain(`\`${SCHEDULE}\``);
    expect(cloudRunScript).to.contain('gcloud run jobs replace scripts/deploy/cloud-run-job.yaml');
  });

  it('keep state where README says: gs:// on Cloud Run and for parallel pods, a PVC for the single-pod CronJob', () => {
    const stateOf = (i: number) => flag(pods[i]![1].containers[0]!.args, '--state');
    expect(stateOf(0)).to.equal('gs://my-etl-bucket/state/shopify.db');
    expect(stateOf(2)).to.equal('gs://my-etl-bucket/state/shopify.db');
    expect(deploySection).to.contain('--state gs://my-etl-bucket/state/shopify.db');
    expect(stateOf(1)).to.equal('/app/data/state.db');
    expect(deploySection).to.contain('--state /app/data/state.db');
    const cronPod = pods[1]![1];
    const stateMount = cronPod.containers[0]!.volumeMounts.find((m) => m.mountPath === '/app/data');
    const volume = cronPod.volumes.find((v) => v.name === stateMount?.name);
    const claim = get<string>(volume, 'persistentVolumeClaim.claimName');
    expect(cronDocs.some((d) => d.kind === 'PersistentVolumeClaim' && get<string>(d, 'metadata.name') === claim)).to.equal(true);
  });

  it('provide every credential the shops file names, as secrets, in every manifest', () => {
    expect(shops.map((s) => s.shop)).to.deep.equal(['alpha.myshopify.com', 'beta.myshopify.com', 'gamma.myshopify.com']);
    for (const [file, pod] of pods) {
      const container = pod.containers[0]!;
      const secretEnv = container.env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
      const mounts = container.volumeMounts.map((m) => m.mountPath);
      expect(flag(container.args, '--shops-file'), file).to.equal(SHOPS_FILE);
      expect(mounts, file).to.include(dirname(SHOPS_FILE));
      for (const { shop, auth } of shops) {
        if (auth.kind === 'token-env') expect(secretEnv, `${file}: ${shop}`).to.include(auth.name);
        if (auth.kind === 'client-credentials-env') expect(secretEnv, `${file}: ${shop}`).to.include.members([auth.clientIdEnv, auth.clientSecretEnv]);
        if (auth.kind === 'token-file') {
          const mount = container.volumeMounts.find((m) => m.mountPath === dirname(auth.path));
          expect(mount, `${file}: ${shop} mounts ${auth.path}`).to.not.equal(undefined);
          expect(pod.volumes.find((v) => v.name === mount!.name)?.secret, `${file}: ${auth.path} comes from a secret`).to.not.equal(undefined);
        }
      }
      for (const name of secretEnv) expect(deploySection, `${file}: README names ${name}`).to.contain(name);
      // Plain env values never carry credentials.
      expect(container.env.filter((e) => e.value !== undefined).map((e) => e.name)).to.satisfy((names: string[]) => names.every((n) => !/TOKEN|SECRET/.test(n)));
    }
  });

  it('pass arguments the CLI accepts, and split the shops the way the platform indexes tasks', async () => {
    const secrets = { ALPHA_TOKEN: 'shpat_alpha', GAMMA_CLIENT_ID: 'gamma-id', GAMMA_CLIENT_SECRET: 'gamma-secret' };
    const platformEnv = (file: string, index: number): Record<string, string> => (file === 'cloud-run-job.yaml'
      ? { CLOUD_RUN_TASK_INDEX: String(index), CLOUD_RUN_TASK_COUNT: String(get<number>(cloudRun, 'spec.template.spec.taskCount')) }
      : file === 'k8s/indexed-job.yaml' ? { JOB_COMPLETION_INDEX: String(index) } : {});
    for (const [file, pod] of pods) {
      const container = pod.containers[0]!;
      const plain = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
      const tasks = file === 'cloud-run-job.yaml' ? get<number>(cloudRun, 'spec.template.spec.taskCount') : file === 'k8s/indexed-job.yaml' ? get<number>(indexed, 'spec.jobTemplate.spec.completions') : 1;
      const args = container.args.map((a) => (a === SHOPS_FILE ? join(deploy, 'shops.example.yaml') : a));
      const seen: string[] = [];
      for (let i = 0; i < tasks; i++) {
        const config = await parseConfig(args, { ...secrets, ...plain, ...platformEnv(file, i) }, false);
        if (config?.command !== 'run') throw new Error(`${file}: not a run`);
        seen.push(...config.shops.map((s) => s.shop));
        for (const s of config.shops) expect(s.state, file).to.match(new RegExp(`-${s.shop.replace(/\./g, '\\.')}\\.db$`));
      }
      expect(seen.sort(), `${file}: every shop in exactly one task`).to.deep.equal(shops.map((s) => s.shop));
    }
  });

  it('set the job controls: tasks, timeouts, retries, grace shorter than the kill, Workload Identity, non-root', () => {
    const task = get<Obj>(cloudRun, 'spec.template.spec.template.spec');
    expect(task.timeoutSeconds).to.be.a('number');
    expect(task.maxRetries).to.be.within(0, 10);
    expect(task.serviceAccountName).to.match(/@my-project\.iam\.gserviceaccount\.com$/);
    expect(deploySection).to.contain(String(task.serviceAccountName));
    const durationSeconds = (args: string[]) => Number(/^(\d+)s$/.exec(flag(args, '--grace') ?? '')?.[1]);
    expect(durationSeconds(pods[0]![1].containers[0]!.args), 'Cloud Run kills 10 s after SIGTERM').to.be.lessThan(10);

    expect(cronJob.spec).to.include({ concurrencyPolicy: 'Forbid' });
    expect(get<number>(cronJob, 'spec.startingDeadlineSeconds')).to.be.greaterThan(10);
    expect(get<number>(cronJob, 'spec.jobTemplate.spec.backoffLimit')).to.be.a('number');
    expect(get<number>(cronJob, 'spec.jobTemplate.spec.activeDeadlineSeconds')).to.be.a('number');
    expect(get<string>(indexed, 'spec.jobTemplate.spec.completionMode')).to.equal('Indexed');
    const shardCount = pods[2]![1].containers[0]!.env.find((e) => e.name === 'SHARD_COUNT')?.value;
    expect(shardCount, 'SHARD_COUNT equals completions').to.equal(String(get<number>(indexed, 'spec.jobTemplate.spec.completions')));
    expect(indexed.spec).to.include({ concurrencyPolicy: 'Forbid' });

    const ksa = cronDocs.find((d) => d.kind === 'ServiceAccount')!;
    expect((get<Obj>(ksa, 'metadata.annotations'))['iam.gke.io/gcp-service-account']).to.equal(task.serviceAccountName);
    for (const [file, pod] of pods.slice(1)) {
      expect(pod.serviceAccountName, file).to.equal(get<string>(ksa, 'metadata.name'));
      expect(pod.restartPolicy, file).to.equal('Never');
      expect(pod.terminationGracePeriodSeconds!, file).to.be.greaterThan(durationSeconds(pod.containers[0]!.args));
      expect(pod.securityContext, file).to.include({ runAsNonRoot: true, runAsUser: 1000 });
      expect(get<boolean>(pod.containers[0], 'securityContext.readOnlyRootFilesystem'), file).to.equal(true);
      expect(pod.containers[0]!.volumeMounts.map((m) => m.mountPath), `${file}: writable /tmp and /app/data`).to.include.members(['/tmp', '/app/data']);
    }
  });

  it('README walks through the backfill with the same state and image', () => {
    expect(deploySection).to.match(/gcloud run jobs execute shopify-bulk-etl .*\n.*--state,gs:\/\/my-etl-bucket\/state\/shopify\.db.*--since,\d{4}-\d{2}-\d{2}/);
    expect(deploySection).to.contain(`${IMAGE} \\\n  --shop acme.myshopify.com --since`);
  });
});
