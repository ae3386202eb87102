# bench/peers/perl/bench.pl: the peer-comparison workloads in Perl 5.
# Usage: perl bench.pl WORKLOAD SIZE [RUNS]
#
# Same shapes as the fusevm bytecode (bench/peers/fusevm-runner/src/programs.rs): explicit
# `while` loops, lexicals, a named recursive sub. One untimed warm-up run, then RUNS timed
# runs (default 3) with clock_gettime(CLOCK_PROCESS_CPUTIME_ID) (process CPU time, core
# Time::HiRes); every run's result is checked. Prints
#   RESULT engine=perl workload=W size=N units=U runs=R ns_per_unit=X
# with the median run. A wrong result prints FAIL on stderr and exits 1.
use strict;
use warnings;
no warnings 'recursion';    # ack(3, n) recurses about 2**(n+3) deep, on purpose
use Time::HiRes qw(clock_gettime CLOCK_PROCESS_CPUTIME_ID);

sub fib {
    my ($n) = @_;
    return $n if $n < 2;
    return fib($n - 1) + fib($n - 2);
}

sub ack {
    my ($m, $n) = @_;
    return $n + 1 if $m == 0;
    return ack($m - 1, 1) if $n == 0;
    return ack($m - 1, ack($m, $n - 1));
}

my %work = (
    fib_rec => sub { fib($_[0]) },
    ack     => sub { ack(3, $_[0]) },
    loop_sum => sub {
        my ($n) = @_;
        my ($s, $i) = (0, 0);
        while ($i < $n) {
            $s = $s + $i;
            $i = $i + 1;
        }
        $s;
    },
    nested_loop => sub {
        my ($n) = @_;
        my ($s, $i) = (0, 0);
        while ($i < $n) {
            my $j = 0;
            while ($j < $n) {
                $s = $s + $i * $j;
                $j = $j + 1;
            }
            $i = $i + 1;
        }
        $s;
    },
    string_build => sub {
        my ($n) = @_;
        my ($s, $i) = ("", 0);
        while ($i < $n) {
            $s = $s . "x";
            $i = $i + 1;
        }
        length $s;
    },
    array_push_sum => sub {
        my ($n) = @_;
        my @a;
        my $i = 0;
        while ($i < $n) {
            push @a, $i;
            $i = $i + 1;
        }
        my $s = 0;
        $i = 0;
        while ($i < @a) {
            $s = $s + $a[$i];
            $i = $i + 1;
        }
        $s;
    },
    hash_count => sub {
        my ($n) = @_;
        my %h;
        my $i = 0;
        while ($i < $n) {
            my $k = "" . ($i % 1000);
            $h{$k} = ($h{$k} // 0) + 1;
            $i = $i + 1;
        }
        my ($s, $keys) = (0, 0);
        $i = 0;
        while ($i < 1000) {
            my $c = $h{"" . $i};
            if (defined $c) {
                $s = $s + $c;
                $keys = $keys + 1;
            }
            $i = $i + 1;
        }
        "$s/$keys";
    },
);

# The expected result and the number of work units, computed without the workload's code.
sub reference {
    my ($w, $n) = @_;
    my $tri = $n * ($n - 1) / 2;
    if ($w eq "fib_rec") {
        my ($a, $b) = (0, 1);
        ($a, $b) = ($b, $a + $b) for 1 .. $n;
        return ($a, 2 * $b - 1);    # fib(n), calls = 2 fib(n+1) - 1
    }
    if ($w eq "ack") {
        my $calls = 15;    # calls(3,0); calls(3,k) = 1 + calls(3,k-1) + calls(2, ack(3,k-1))
        for my $k (1 .. $n) {
            my $a = 2**($k + 2) - 3;
            $calls = 1 + $calls + 2 * $a * $a + 7 * $a + 5;
        }
        return (2**($n + 3) - 3, $calls);
    }
    return ($tri, $n) if $w eq "loop_sum" || $w eq "array_push_sum";
    return ($tri * $tri, $n * $n) if $w eq "nested_loop";
    return ($n, $n) if $w eq "string_build";
    return ($n . "/" . ($n < 1000 ? $n : 1000), $n) if $w eq "hash_count";
}

my ($w, $n, $runs) = @ARGV;
$runs //= 3;
unless (defined $n && exists $work{$w} && $n =~ /^\d+$/ && $runs =~ /^\d+$/ && $runs >= 1) {
    print STDERR "usage: perl bench.pl WORKLOAD SIZE [RUNS]\n";
    exit 2;
}
my ($expected, $units) = reference($w, $n);
my $code = $work{$w};

sub check {
    my ($got) = @_;
    return if "$got" eq "$expected";
    print STDERR "FAIL engine=perl workload=$w size=$n: got $got, expected $expected\n";
    exit 1;
}

check($code->($n));
my @times;
for (1 .. $runs) {
    my $t0  = clock_gettime(CLOCK_PROCESS_CPUTIME_ID);
    my $got = $code->($n);
    push @times, clock_gettime(CLOCK_PROCESS_CPUTIME_ID) - $t0;
    check($got);
}
@times = sort { $a <=> $b } @times;
my $median = $times[int($runs / 2)];
printf "RESULT engine=perl workload=%s size=%d units=%d runs=%d ns_per_unit=%.3f\n",
    $w, $n, $units, $runs, $median * 1e9 / ($units || 1);
