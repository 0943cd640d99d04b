const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

const number = /^\d+$/

function pad(value: string): string {
  return value.padStart(2, '0')
}

function listOf(field: string, name: (n: number) => string): string {
  const named = field.split(',').map((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part)
    if (range) return `${name(Number(range[1]))} to ${name(Number(range[2]))}`
    return number.test(part) ? name(Number(part)) : part
  })
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : (named[0] as string)
}

function ordinal(n: number): string {
  const tens = n % 100
  if (tens >= 11 && tens <= 13) return `${n}th`
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`
}

function timeOf(minute: string, hour: string): string {
  if (number.test(minute) && number.test(hour)) return `At ${pad(hour)}:${pad(minute)}`
  if (number.test(minute) && hour.split(',').every((h) => number.test(h)))
    return `At ${hour
      .split(',')
      .map((h) => `${pad(h)}:${pad(minute)}`)
      .join(', ')}`
  const every = /^\*\/(\d+)$/.exec(minute)
  if (minute === '*' && hour === '*') return 'Every minute'
  if (every && hour === '*') return `Every ${every[1]} minutes`
  if (number.test(minute) && hour === '*') return `At minute ${minute} of every hour`
  const everyHour = /^\*\/(\d+)$/.exec(hour)
  if (number.test(minute) && everyHour)
    return `At minute ${minute} of every ${ordinal(Number(everyHour[1]))} hour`
  return `At minute ${minute} of hour ${hour}`
}

/**
 * A five-field cron expression in plain English, for `jobs.schedules()` and dashboards.
 *
 * @example
 * describeCron('0 2 * * *') // 'At 02:00 every day'
 * describeCron('30 9 * * 1-5') // 'At 09:30 on Monday to Friday'
 * describeCron('0 6 1 * *') // 'At 06:00 on the 1st of every month'
 */
export function describeCron(cron: string): string {
  const [minute = '*', hour = '*', dayOfMonth = '*', month = '*', dayOfWeek = '*'] = cron.trim().split(/\s+/)
  const parts = [timeOf(minute, hour)]
  const daily = dayOfMonth === '*' && dayOfWeek === '*'
  if (daily && month === '*' && number.test(minute) && (number.test(hour) || hour.includes(',')))
    parts.push('every day')
  if (dayOfMonth !== '*') {
    const days = dayOfMonth === 'L' ? 'the last day' : `the ${listOf(dayOfMonth, ordinal)}`
    parts.push(month === '*' ? `on ${days} of every month` : `on ${days}`)
  }
  if (dayOfWeek !== '*') {
    parts.push(`${dayOfMonth !== '*' ? 'or ' : ''}on ${listOf(dayOfWeek, (n) => dayNames[n] ?? String(n))}`)
  }
  if (month !== '*') parts.push(`in ${listOf(month, (n) => monthNames[n - 1] ?? String(n))}`)
  return parts.join(' ')
}
