export * from './types.js';
export { detectBuilder, dockerCapabilities, podmanCapabilities, probeDocker, probePodman, majorVersion } from './detect.js';
export type { DetectOptions, DockerProbe, PodmanProbe } from './detect.js';
export { DockerBuilder, buildxCacheArgs, dockerBuildInvocation, csvField } from './docker.js';
export { PodmanBuilder, isPodmanCrash, podmanBuildArgs } from './podman.js';
export { BuildOutputParser } from './progress.js';
export type { OutputFormat, OutputSummary } from './progress.js';
export { readDockerArchiveManifest, readTarMember, configDigest } from './archive.js';
export type { DockerArchiveEntry } from './archive.js';
