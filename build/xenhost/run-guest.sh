# run-guest.sh: run one guest in dom0 and report how it ended. Sourced by
# the dom0 scripts of `mirari run -t xen` and of the Xen tests, on the
# emulated host or on a real Xen host.
#
#   mirari_run_guest XLFILE NAME [EXTRA [TIMEOUT]]
#
# creates the domain NAME from XLFILE (NAME overrides the file's name=, so
# that successive guests of one image never share a name, and with it a
# console log that xenconsoled may still hold for the previous one; EXTRA,
# if given, becomes its extra= runtime parameters), copies its console to
# standard output as it comes,
# says "@mirari created=NAME" once xl create has returned, and once the
# domain has stopped prints
#
#   @mirari end=poweroff|crash|timeout|error ms_to_first_output=N
#
# and destroys it. Every way it can end is kept (on_*="preserve") so that
# the reason can be read before the domain is gone.
#
#   mirari_console_settled
#
# waits until xenconsoled has written to the console logs all it took from
# the rings of domains that have stopped (mirari_run_guest calls it; a
# script that reads a log itself after a domain stops calls it first). A
# guest empties its ring before it stops (console_flush, up to 2 s), and
# xenconsoled writes what it takes to the log in the same step, before it
# next sleeps: so once xenconsoled is seen asleep after the domain stopped,
# the log is whole. A xenconsoled that is held up (stopped, or starved of
# CPU) is waited for, up to 10 s; if it never settles, _settle says so (and
# mirari_run_guest prints it as an "@mirari diag:" line). Without a pid for
# xenconsoled (a host that runs it otherwise), a pause is all there is.
mirari_console_settled() {
	_settle=""
	_cpid=$(cat /run/xenconsoled.pid 2>/dev/null || pidof xenconsoled 2>/dev/null || true)
	_cpid=${_cpid%% *}
	if [ -z "$_cpid" ] || [ ! -r "/proc/$_cpid/stat" ]; then
		sleep 0.3
		return 0
	fi
	_i=0
	while :; do
		# The state is the field after the command name's ")" (the last
		# one: the name may hold any character).
		_st=""
		read -r _st <"/proc/$_cpid/stat" 2>/dev/null || true
		_st=${_st##*) }
		[ "${_st%% *}" = S ] && return 0
		if [ -z "$_st" ]; then
			_settle="xenconsoled (pid $_cpid) is gone; the console log may lack its last lines"
			return 0
		fi
		if [ "$_i" -ge 200 ]; then
			_settle="xenconsoled (pid $_cpid) did not settle in 10 s (state ${_st%% *}); the console log may lack its last lines"
			return 0
		fi
		_i=$((_i + 1))
		sleep 0.05
	done
}

mirari_run_guest() {
	_xl=$1 _name=$2 _extra=${3-} _timeout=${4:-60}
	_log=/var/log/xen/console/guest-$_name.log
	rm -f "$_log"
	set -- "name=\"$_name\"" 'on_poweroff="preserve"' 'on_crash="preserve"' \
		'on_reboot="preserve"'
	if [ -n "$_extra" ]; then
		set -- "$@" "extra=\"$_extra\""
	fi
	_t0=$(date +%s%N)
	if ! xl create -q "$_xl" "$@" >/tmp/xl-create.$$ 2>&1; then
		cat /tmp/xl-create.$$
		echo "@mirari end=error ms_to_first_output=-1"
		return 1
	fi
	echo "@mirari created=$_name"
	_pos=0 _first=-1 _end=timeout
	_deadline=$(( $(date +%s) + _timeout ))
	# The first output is waited for on its own, polling only the log
	# (xl list takes a good part of a second under emulation), so that the
	# time to it is measured closely; at most 5 s, then the loop below
	# also watches the domain.
	_quick=$(( $(date +%s) + 5 ))
	while [ ! -s "$_log" ] && [ "$(date +%s)" -lt "$_quick" ]; do
		sleep 0.01
	done
	while :; do
		_state=$(xl list "$_name" 2>/dev/null | awk 'NR == 2 { print $5 }')
		if [ -s "$_log" ]; then
			_size=$(stat -c %s "$_log")
			if [ "$_size" -gt "$_pos" ]; then
				[ "$_first" -lt 0 ] &&
					_first=$(( ($(date +%s%N) - _t0) / 1000000 ))
				tail -c +$((_pos + 1)) "$_log" | head -c $((_size - _pos))
				_pos=$_size
			fi
		fi
		case $_state in
		*c*) _end=crash; break ;;
		*s*) _end=poweroff; break ;;
		"") _end=error; break ;;
		esac
		[ "$(date +%s)" -ge "$_deadline" ] && break
		sleep 0.05
	done
	# A domain still running (a timeout) may write more: what is there
	# is all there is to show.
	_settle=""
	[ "$_end" = timeout ] || mirari_console_settled
	if [ -s "$_log" ] && [ "$(stat -c %s "$_log")" -gt "$_pos" ]; then
		[ "$_first" -lt 0 ] && _first=$(( ($(date +%s%N) - _t0) / 1000000 ))
		tail -c +$((_pos + 1)) "$_log"
	fi
	# The marker goes on a line of its own.
	if [ -s "$_log" ] && [ -n "$(tail -c 1 "$_log")" ]; then
		echo
	fi
	[ -n "$_settle" ] && echo "@mirari diag: $_settle"
	if [ "$_end" = timeout ]; then
		# Say what the domain was doing, for whoever reads the log.
		echo "@mirari diag: $(xl list "$_name" 2>&1 | tail -n 1)"
		xl dmesg 2>/dev/null | tail -n 5 | sed 's/^/@mirari diag: /'
	fi
	echo "@mirari end=$_end ms_to_first_output=$_first"
	xl destroy "$_name" 2>/dev/null
	return 0
}
