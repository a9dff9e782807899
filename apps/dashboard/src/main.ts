import './style.css';
import { startDashboard } from './app.js';

const root = document.getElementById('view');
if (root === null) throw new Error('index.html has no #view element');
startDashboard(root);
