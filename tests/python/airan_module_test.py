"""`import airan`: the Python module's slots carry the right shapes, labels that are the
transmitted (scrambled) codeword, reference LLRs whose signs follow those labels at high SNR and
not at low SNR, and they are reproducible from the seed; the simulation lets other Python threads run, and
threads sharing a Simulator take turns. Run by ctest with PYTHONPATH set to
build/python and AIRAN_REPO_ROOT to the repository."""
import os
import threading
import time
import unittest

import numpy as np

import airan

ROOT = os.environ.get("AIRAN_REPO_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
SCENARIO = os.path.join(ROOT, "configs", "pusch_20mhz_1layer_16qam.yaml")


def sign_agreement(pdu):
    """Fraction of bits whose reference LLR sign (positive: 0) matches the label."""
    return float(np.mean((pdu["llr_reference"] > 0) == (pdu["codeword_bits"] == 0)))


class SimulatorTest(unittest.TestCase):
    def test_shapes_follow_the_scenario(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-C300", doppler_hz=100.0)
        self.assertEqual((sim.num_rx_antennas, sim.num_prbs, sim.num_pdus), (2, 106, 2))
        slot = sim.simulate(snr_db=10.0, seed=3, slot=5)
        self.assertEqual(slot["slot"], 5)
        self.assertEqual(slot["grid"].shape, (2, 14, 12 * 106))
        self.assertEqual(slot["grid"].dtype, np.complex64)
        self.assertEqual(slot["true_channel"].shape, (2, 1, 14, 12 * 106))
        self.assertAlmostEqual(slot["noise_variance"], 0.1, places=6)
        first, second = slot["pdus"]
        self.assertEqual((first["prb_start"], first["prb_size"]), (0, 60))
        self.assertEqual((second["prb_start"], second["prb_size"]), (60, 46))
        # G = data REs x Q_m: 60 PRBs x 12 x (14 - 2 DMRS symbols) x 4 bits for 16-QAM.
        self.assertEqual(first["codeword_bits"].shape, (60 * 12 * 12 * 4,))
        self.assertEqual(first["llr_reference"].shape, first["codeword_bits"].shape)
        self.assertEqual(second["modulation_order"], 2)
        self.assertTrue(set(np.unique(first["codeword_bits"])) <= {0, 1})

    def test_labels_are_what_the_reference_receiver_decides_at_high_snr(self):
        sim = airan.Simulator(SCENARIO)  # AWGN
        for pdu in sim.simulate(snr_db=30.0, seed=1)["pdus"]:
            self.assertGreaterEqual(sign_agreement(pdu), 0.9999)

    def test_low_snr_breaks_the_agreement(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-C300", doppler_hz=100.0)
        for pdu in sim.simulate(snr_db=-5.0, seed=2)["pdus"]:
            self.assertGreater(sign_agreement(pdu), 0.5)
            self.assertLess(sign_agreement(pdu), 0.9)

    def test_slots_are_reproducible_from_the_seed(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-B100", doppler_hz=400.0)
        a = sim.simulate(snr_db=5.0, seed=7)
        b = sim.simulate(snr_db=5.0, seed=7)
        c = sim.simulate(snr_db=5.0, seed=8)
        np.testing.assert_array_equal(a["grid"], b["grid"])
        np.testing.assert_array_equal(a["pdus"][0]["tb_bits"], b["pdus"][0]["tb_bits"])
        self.assertFalse(np.array_equal(a["grid"], c["grid"]))
        self.assertFalse(np.array_equal(a["pdus"][0]["tb_bits"], c["pdus"][0]["tb_bits"]))

    def test_neural_inputs_and_llr_positions(self):
        # The neural receiver's tensors over each PDU's own PRBs, and positions that place the
        # labels where the LLRs of those bits are: at 30 dB on AWGN (unit channel), the real and
        # imaginary parts of the received grid there give the QPSK PDU's bits by their signs.
        with open(SCENARIO) as f:
            yaml = f.read().replace("num_rx_antennas: 2", "num_rx_antennas: 4")
        sim = airan.Simulator(scenario_yaml=yaml, reference_receiver="", neural_inputs=True)
        self.assertEqual(sim.num_rx_antennas, 4)
        first, second = sim.simulate(snr_db=30.0, seed=4)["pdus"]
        self.assertNotIn("llr_reference", first)
        self.assertEqual(first["rx_grid"].shape, (1, 8, 14, 720))
        self.assertEqual(first["ls_channel"].shape, (1, 32, 14, 720))
        self.assertEqual(first["side_info"].shape, (1, 7, 14, 720))
        self.assertEqual(second["rx_grid"].shape, (1, 8, 14, 12 * 46))
        self.assertEqual(second["modulation_order"], 2)
        positions = second["llr_positions"]
        self.assertEqual(positions.shape, second["codeword_bits"].shape)
        self.assertEqual(len(np.unique(positions)), len(positions))
        plane = 14 * 12 * 46
        channel, pixel = positions // plane, positions % plane
        self.assertTrue(np.all(channel < 2))  # one layer, two bits per symbol
        grid = second["rx_grid"][0]  # antenna 0: channels 0 (real) and 1 (imaginary)
        values = np.where(channel == 0, grid[0].reshape(-1)[pixel], grid[1].reshape(-1)[pixel])
        np.testing.assert_array_equal((values < 0).astype(np.uint8), second["codeword_bits"])
        # The LS estimate of the unit channel is 1 on every RE of antennas 0..3, layer 0.
        ls = second["ls_channel"][0]
        for antenna in range(4):
            np.testing.assert_allclose(ls[8 * antenna], 1.0, atol=0.1)
            np.testing.assert_allclose(ls[8 * antenna + 1], 0.0, atol=0.1)
        side = second["side_info"][0]
        np.testing.assert_array_equal(side[0:4], 1.0)
        self.assertAlmostEqual(float(side[4, 0, 0]), 1e-3, delta=3e-4)

    def test_cdl_channels_are_available(self):
        sim = airan.Simulator(SCENARIO, channel="CDL-C", delay_spread_ns=100.0, doppler_hz=50.0)
        slot = sim.simulate(snr_db=20.0, seed=2)
        self.assertEqual(slot["true_channel"].shape, (2, 1, 14, 12 * 106))
        self.assertGreater(sign_agreement(slot["pdus"][0]), 0.95)  # 0.983: 2 correlated antennas
        with self.assertRaisesRegex(ValueError, "delay spread"):
            airan.Simulator(SCENARIO, channel="CDL-C")
        with self.assertRaisesRegex(ValueError, "CDL-A"):
            airan.Simulator(SCENARIO, channel="CDL-X", delay_spread_ns=100.0)
        # The 38.901 element at the base station: its gain over CDL-C's clusters (about 3.5)
        # shows in the channel's power, averaged over realisations.
        powers = {}
        for pattern in ("omni", "38.901"):
            sim = airan.Simulator(SCENARIO, channel="CDL-C", delay_spread_ns=100.0,
                                  bs_antenna_pattern=pattern)
            slots = [sim.simulate(20.0, seed)["true_channel"] for seed in range(40)]
            powers[pattern] = np.mean([np.mean(np.abs(h) ** 2) for h in slots])
        self.assertAlmostEqual(powers["omni"], 1.0, delta=0.25)
        self.assertGreater(powers["38.901"] / powers["omni"], 2.0)
        with self.assertRaisesRegex(ValueError, "needs a CDL model"):
            airan.Simulator(SCENARIO, channel="TDL-C", delay_spread_ns=100.0,
                            bs_antenna_pattern="38.901")
        with self.assertRaises(ValueError):
            airan.Simulator(SCENARIO, channel="CDL-C", delay_spread_ns=100.0,
                            bs_antenna_pattern="dipole")

    def test_cdl_polarisation(self):
        # The scenario's 2 Rx as one VH pair against the UE's vertical element: the H antenna
        # gets 1/XPR (CDL-C: 7 dB, 0.2) of the V antenna's power; as a -45/+45 pair, both get
        # (1 + 1/XPR) / 2 = 0.6 of a vertical array's.
        power = {}
        for polarization in ("V", "VH", "cross"):
            sim = airan.Simulator(SCENARIO, channel="CDL-C", delay_spread_ns=100.0,
                                  bs_polarization=polarization)
            slots = [sim.simulate(20.0, seed)["true_channel"] for seed in range(60)]
            power[polarization] = [np.mean([np.mean(np.abs(h[r]) ** 2) for h in slots])
                                   for r in (0, 1)]
        self.assertAlmostEqual(power["VH"][1] / power["VH"][0], 10 ** -0.7, delta=0.08)
        for r in (0, 1):
            self.assertAlmostEqual(power["cross"][r] / power["V"][r], (1 + 10 ** -0.7) / 2,
                                   delta=0.12)
        with self.assertRaisesRegex(ValueError, "even number of antennas"):
            airan.Simulator(SCENARIO, channel="CDL-C", delay_spread_ns=100.0,
                            ue_polarization="cross")  # the scenario's UE has one port
        with self.assertRaisesRegex(ValueError, "needs a CDL model"):
            airan.Simulator(SCENARIO, channel="TDL-C", delay_spread_ns=100.0,
                            bs_polarization="VH")

    def test_transform_precoding(self):
        # DFT-s-OFDM needs a PRB count 2^a 3^b 5^c: the scenario's second UE has 46 PRBs.
        with self.assertRaisesRegex(ValueError, r"2\^a 3\^b 5\^c"):
            airan.Simulator(SCENARIO, transform_precoding=True)
        with open(SCENARIO) as f:
            yaml = f.read().replace("prb_size: 46", "prb_size: 45")
        with self.assertRaisesRegex(ValueError, "pi2bpsk=True needs transform_precoding=True"):
            airan.Simulator(scenario_yaml=yaml, pi2bpsk=True)
        with self.assertRaisesRegex(ValueError, "CP-OFDM PUSCH only"):
            airan.Simulator(scenario_yaml=yaml, transform_precoding=True, neural_inputs=True)
        # mcs_table 3 (qam64LowSE) with transform precoding: TS 38.214 Table 6.1.4.1-2, where
        # MCS 14 is QPSK and MCS 5 pi/2-BPSK with tp-pi2BPSK.
        low_se = yaml.replace("mcs_table: 1", "mcs_table: 3")
        sim = airan.Simulator(scenario_yaml=low_se, transform_precoding=True, pi2bpsk=True)
        pdus = sim.simulate(snr_db=30.0, seed=1)["pdus"]
        self.assertEqual([pdu["modulation_order"] for pdu in pdus], [2, 1])
        for pdu in pdus:
            self.assertGreaterEqual(sign_agreement(pdu), 0.9999)
        # MCS 0 of TS 38.214 Table 6.1.4.1-1 with tp-pi2BPSK: pi/2-BPSK, one bit per RE.
        bpsk = yaml.replace("mcs_index: 5", "mcs_index: 0")
        sim = airan.Simulator(scenario_yaml=bpsk, transform_precoding=True, pi2bpsk=True)
        first, second = sim.simulate(snr_db=30.0, seed=1)["pdus"]
        self.assertEqual((first["modulation_order"], second["modulation_order"]), (4, 1))
        # 12 data symbols of 45 PRBs: on DMRS symbols no data with transform precoding.
        self.assertEqual(second["codeword_bits"].shape, (45 * 12 * 12,))
        for pdu in (first, second):
            self.assertGreaterEqual(sign_agreement(pdu), 0.9999)

    def test_ptrs(self):
        # The second UE with PT-RS every 2nd symbol in every 2nd PRB, offset '01' of DMRS port 0
        # (k_ref^RE 2); DMRS on symbols 2 and 11, so TS 38.211 6.4.1.2.2.1 puts PT-RS on
        # symbols 0, 4, 6, 8, 10 and 13, one subcarrier in 24 (k_ref^RB = 4602 mod 2 = 0).
        with open(SCENARIO) as f:
            yaml = f.read().replace(
                "    harq_process_id: 0       # HARQ process\n",
                "    harq_process_id: 0       # HARQ process\n"
                "    ptrs: {time_density: 2, frequency_density: 2, re_offset: 1}\n")
        sim = airan.Simulator(scenario_yaml=yaml)
        first, second = sim.simulate(snr_db=30.0, seed=3)["pdus"]
        self.assertIsNone(first["ptrs"])
        self.assertEqual(second["ptrs"], {
            "time_density": 2, "frequency_density": 2, "re_offset": 1, "dmrs_port": 0,
            "power": 0, "symbol_mask": (1 << 0) | (1 << 4) | (1 << 6) | (1 << 8) | (1 << 10)
            | (1 << 13), "layer": 0, "subcarrier_offset": 2, "subcarrier_period": 24})
        # The PT-RS REs carry no data: 6 symbols x 23 subcarriers fewer QPSK symbols.
        self.assertEqual(second["codeword_bits"].shape, ((12 * 46 * 12 - 6 * 23) * 2,))
        self.assertEqual(first["codeword_bits"].shape, (60 * 12 * 12 * 4,))
        for pdu in (first, second):
            self.assertGreaterEqual(sign_agreement(pdu), 0.9999)
        # PT-RS with transform precoding is not supported (TS 38.211 6.4.1.2.2.2).
        with self.assertRaisesRegex(ValueError, "PT-RS with transform precoding"):
            airan.Simulator(scenario_yaml=yaml.replace("prb_size: 46", "prb_size: 45"),
                            transform_precoding=True)
        # Nor as neural-receiver training data: the model does not track phase.
        with self.assertRaisesRegex(ValueError, "neural receiver does not take PT-RS"):
            airan.Simulator(scenario_yaml=yaml, neural_inputs=True)

    def test_intra_slot_hopping(self):
        # The first UE on 30 PRBs hopping to PRB 30 (the second UE keeps 60..105): DMRS on 2, 6,
        # 7 and 11 (TS 38.211 Table 6.4.1.1.3-6, pos1), each hop estimated from its own DMRS.
        with open(SCENARIO) as f:
            yaml = f.read().replace(
                "    prb_size: 60             # allocated PRBs\n",
                "    prb_size: 30             # allocated PRBs\n"
                "    intra_slot_hopping: true\n"
                "    second_hop_prb_start: 30\n")
        sim = airan.Simulator(scenario_yaml=yaml)
        first, second = sim.simulate(snr_db=30.0, seed=4)["pdus"]
        self.assertEqual(first["second_hop_prb_start"], 30)
        self.assertIsNone(second["second_hop_prb_start"])
        # 16-QAM on 10 data symbols x 30 PRBs.
        self.assertEqual(first["codeword_bits"].shape, (10 * 30 * 12 * 4,))
        for pdu in (first, second):
            self.assertGreaterEqual(sign_agreement(pdu), 0.9999)
        # Not as neural-receiver training data: the model sees one allocation.
        with self.assertRaisesRegex(ValueError, "intra-slot frequency hopping"):
            airan.Simulator(scenario_yaml=yaml, neural_inputs=True)

    def test_bad_input_is_a_python_exception(self):
        with self.assertRaises(Exception):
            airan.Simulator(os.path.join(ROOT, "no_such_file.yaml"))
        with self.assertRaises(ValueError):
            airan.Simulator(SCENARIO, channel="TDL-X")
        with self.assertRaises(ValueError):
            airan.Simulator(SCENARIO, reference_receiver="perfect-csi")
        with self.assertRaises(ValueError):  # its LLRs were the default classical front end's
            airan.Simulator(SCENARIO, reference_receiver="neural")
        with self.assertRaises(Exception):
            airan.Simulator(scenario_yaml="cell: [")
        five = open(SCENARIO).read().replace("num_rx_antennas: 2", "num_rx_antennas: 5")
        sim = airan.Simulator(scenario_yaml=five, neural_inputs=True)
        with self.assertRaises(ValueError):  # the neural receiver takes at most 4 antennas
            sim.simulate(snr_db=10.0, seed=1)

    def test_other_threads_run_while_a_slot_is_simulated(self):
        # A thread that wakes every millisecond and counts: while simulate() holds the GIL it
        # cannot run, so over a few 273-PRB slots (about 70 ms each) it would count next to
        # nothing (4 in 320 ms before the GIL was released); with it released, about 140.
        big = os.path.join(ROOT, "configs", "pusch_273prb_2layer_256qam.yaml")
        sim = airan.Simulator(big, channel="TDL-C300", domain="time", neural_inputs=True)
        sim.simulate(snr_db=10.0, seed=1)
        ticks = []
        stop = threading.Event()

        def ticker():
            while not stop.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.001)

        thread = threading.Thread(target=ticker)
        thread.start()
        try:
            time.sleep(0.02)
            start = time.perf_counter()
            for seed in range(4):
                sim.simulate(snr_db=10.0, seed=seed)
            end = time.perf_counter()
        finally:
            stop.set()
            thread.join()
        window_ms = (end - start) * 1e3
        counted = sum(1 for t in ticks if start <= t <= end)
        self.assertGreater(counted, 0.1 * window_ms, (counted, window_ms))

    def test_threads_sharing_a_simulator_take_turns(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-C300", neural_inputs=True)
        serial = {seed: sim.simulate(snr_db=5.0, seed=seed) for seed in range(3)}
        results = {}

        def run(first):
            for seed in (first, (first + 1) % 3, (first + 2) % 3):
                results[(first, seed)] = sim.simulate(snr_db=5.0, seed=seed)

        threads = [threading.Thread(target=run, args=(first,)) for first in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(results), 9)
        for (_, seed), slot in results.items():
            np.testing.assert_array_equal(slot["grid"], serial[seed]["grid"])
            for pdu, expected in zip(slot["pdus"], serial[seed]["pdus"]):
                np.testing.assert_array_equal(pdu["llr_reference"], expected["llr_reference"])
                np.testing.assert_array_equal(pdu["rx_grid"], expected["rx_grid"])


if __name__ == "__main__":
    unittest.main()
