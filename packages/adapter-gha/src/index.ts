/** The GitHub Actions host for nightshift: filled in by the adapter's first change. */
export const adapterName = 'gha'
