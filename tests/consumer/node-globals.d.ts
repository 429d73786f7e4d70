// The one global the Node type tests use, declared here so that they need
// neither @types/node nor the DOM library (the package's types need neither).
declare var console: { log(...values: unknown[]): void };
