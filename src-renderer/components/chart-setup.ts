/** Registers only the Chart.js pieces the app uses (tree-shaken build). */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LogarithmicScale, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, BarController, BarElement, Tooltip, Legend);
export { Chart };
