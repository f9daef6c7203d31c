// The `yaml` package, bundled on its own as dist/lib/yaml.js and loaded on first use through ./lazyYaml (see there).
export * from 'yaml';
