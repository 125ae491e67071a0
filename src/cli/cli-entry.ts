/** The CLI's entry file (bin/batchlab.mjs, or cli/main.ts run directly): only then does main.ts run, and only then can a command run itself again as a child. */
export const CLI_ENTRY = /bin[\\/]batchlab(\.mjs)?$|cli[\\/]main\.ts$/;
