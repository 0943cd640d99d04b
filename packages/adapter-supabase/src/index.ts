/** The Supabase host for nightshift: filled in by the adapter's first change. */
export const adapterName = 'supabase'
